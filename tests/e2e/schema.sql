-- The end-to-end shop. Each storm phase ('up', 'down', 'unguarded') has its own products, so a phase's
-- orders, captures and deliveries are found through their products and orders.
--
-- Deliberately absent: UNIQUE (order_id) on captures and a relative "stock = stock - 1" update. The
-- guards are what is under test; a constraint would turn a missed guard into an error instead of the
-- double charge or oversale it is in real life (a gateway's capture cannot be rolled back by MariaDB).

CREATE TABLE products (
	id INT AUTO_INCREMENT PRIMARY KEY,
	phase VARCHAR(16) NOT NULL,
	price_cents INT NOT NULL,
	initial_stock INT NOT NULL,
	stock INT NOT NULL,
	-- Stock can never be seen negative, even for an instant: such a write fails.
	CONSTRAINT stock_not_negative CHECK (stock >= 0),
	KEY (phase)
) ENGINE = InnoDB;

CREATE TABLE orders (
	id INT AUTO_INCREMENT PRIMARY KEY,
	phase VARCHAR(16) NOT NULL,
	amount_cents INT NOT NULL,
	status ENUM('pending', 'paid') NOT NULL DEFAULT 'pending',
	-- How many times a webhook marked the order paid: more than 1 is a duplicate that got through.
	paid_count INT NOT NULL DEFAULT 0,
	-- The checkout held its product locks on the local file locks only (Redis down).
	degraded TINYINT NOT NULL,
	KEY (phase)
) ENGINE = InnoDB;

CREATE TABLE order_items (
	order_id INT NOT NULL,
	product_id INT NOT NULL,
	qty INT NOT NULL,
	price_cents INT NOT NULL,
	PRIMARY KEY (order_id, product_id),
	KEY (product_id)
) ENGINE = InnoDB;

-- Every checkout request and its answer (201 order, 409 sold out, anything else is a failure).
CREATE TABLE checkouts (
	id INT AUTO_INCREMENT PRIMARY KEY,
	phase VARCHAR(16) NOT NULL,
	items VARCHAR(64) NOT NULL,
	http_status SMALLINT NOT NULL,
	order_id INT NULL,
	-- It found a product locked by another buyer and queued for it.
	contended TINYINT NOT NULL,
	KEY (phase)
) ENGINE = InnoDB;

-- The gateway's ledger: one row per capture call, i.e. per charge of the customer's card.
CREATE TABLE captures (
	id INT AUTO_INCREMENT PRIMARY KEY,
	order_id INT NOT NULL,
	event_id VARCHAR(64) NOT NULL,
	amount_cents INT NOT NULL,
	-- The idempotency claim this capture ran under was held on the local files only (Redis down).
	degraded TINYINT NOT NULL,
	KEY (order_id)
) ENGINE = InnoDB;

-- One row per execution of the webhook's payment step, written outside its transaction so that a
-- step that ran is counted even if its transaction did not commit.
CREATE TABLE executions (
	id INT AUTO_INCREMENT PRIMARY KEY,
	event_id VARCHAR(64) NOT NULL,
	order_id INT NOT NULL,
	KEY (order_id)
) ENGINE = InnoDB;

-- One row per webhook delivery and what it answered.
CREATE TABLE deliveries (
	id INT AUTO_INCREMENT PRIMARY KEY,
	event_id VARCHAR(64) NOT NULL,
	order_id INT NOT NULL,
	http_status SMALLINT NOT NULL,
	-- The capture id in the (stored) result this delivery returned.
	capture_id INT NULL,
	-- This delivery ran the step (1) or got the stored result (0).
	ran TINYINT NOT NULL,
	-- It arrived while another delivery of the event was running and waited for its result.
	waited TINYINT NOT NULL,
	degraded TINYINT NOT NULL,
	KEY (order_id)
) ENGINE = InnoDB;
