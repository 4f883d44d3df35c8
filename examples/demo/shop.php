<?php
// The demo's order store: products with stock, orders with their items, and the captures (money taken
// at the payment gateway), in one SQLite file shared by every worker process.

declare(strict_types=1);

final class Shop
{
    private function __construct(private readonly PDO $db)
    {
    }

    /** Opens the store; every process opens its own connection (SQLite handles must not cross a fork). */
    public static function open(string $path): self
    {
        $db = new PDO("sqlite:$path", null, null, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
        // WAL lets readers go on while one process writes; busy_timeout makes writers queue instead of
        // failing with "database is locked". synchronous=NORMAL: no fsync per commit (a demo, not a shop).
        $db->exec('PRAGMA journal_mode = WAL');
        $db->exec('PRAGMA busy_timeout = 10000');
        $db->exec('PRAGMA synchronous = NORMAL');
        return new self($db);
    }

    /** A new store at $path holding $catalog (id => [name, price, stock]) and $orders (id => items). */
    public static function create(string $path, array $catalog, array $orders): self
    {
        $shop = self::open($path);
        $shop->db->exec(<<<'SQL'
            CREATE TABLE products (id INTEGER PRIMARY KEY, name TEXT NOT NULL, price INTEGER NOT NULL,
                                   stock INTEGER NOT NULL, initial_stock INTEGER NOT NULL);
            CREATE TABLE orders (id INTEGER PRIMARY KEY, buyer TEXT NOT NULL, status TEXT NOT NULL);
            CREATE TABLE order_items (order_id INTEGER NOT NULL, product_id INTEGER NOT NULL, qty INTEGER NOT NULL);
            CREATE TABLE captures (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, event_id TEXT NOT NULL,
                                   txn TEXT NOT NULL);
            CREATE INDEX order_items_order ON order_items (order_id);
            CREATE INDEX captures_order ON captures (order_id);
            SQL);
        $shop->transaction(function () use ($shop, $catalog, $orders) {
            $product = $shop->db->prepare('INSERT INTO products VALUES (?, ?, ?, ?, ?)');
            foreach ($catalog as $id => [$name, $price, $stock]) {
                $product->execute([$id, $name, $price, $stock, $stock]);
            }
            foreach ($orders as $id => $items) {
                $shop->insertOrder($id, "customer-$id", 'pending', $items);
            }
        });
        return $shop;
    }

    public function orderStatus(int $orderId): string
    {
        return (string)$this->value('SELECT status FROM orders WHERE id = ?', [$orderId]);
    }

    /** product id => quantity */
    public function orderItems(int $orderId): array
    {
        $q = $this->db->prepare('SELECT product_id, qty FROM order_items WHERE order_id = ?');
        $q->execute([$orderId]);
        return $q->fetchAll(PDO::FETCH_KEY_PAIR);
    }

    public function stock(int $productId): int
    {
        return (int)$this->value('SELECT stock FROM products WHERE id = ?', [$productId]);
    }

    /** The gateway took the money: record the capture and mark the order paid, together. */
    public function markPaid(int $orderId, string $eventId, string $txn): void
    {
        $this->transaction(function () use ($orderId, $eventId, $txn) {
            $this->db->prepare('INSERT INTO captures (order_id, event_id, txn) VALUES (?, ?, ?)')
                ->execute([$orderId, $eventId, $txn]);
            $this->setStatus($orderId, 'paid');
        });
    }

    public function setStatus(int $orderId, string $status): void
    {
        $this->db->prepare('UPDATE orders SET status = ? WHERE id = ?')->execute([$status, $orderId]);
    }

    /** Takes the items out of stock. The decrement itself is atomic SQL; what it cannot know is whether
     *  the availability check someone made before it still holds. */
    public function reduceStock(array $items): void
    {
        $this->transaction(function () use ($items) {
            $this->decrement($items);
        });
    }

    /** A checkout that was charged: order, items, capture and stock in one transaction. */
    public function placePaidOrder(string $buyer, array $items, string $txn): void
    {
        $this->transaction(function () use ($buyer, $items, $txn) {
            $orderId = $this->insertOrder(null, $buyer, 'paid', $items);
            $this->db->prepare('INSERT INTO captures (order_id, event_id, txn) VALUES (?, ?, ?)')
                ->execute([$orderId, "checkout:$buyer", $txn]);
            $this->decrement($items);
        });
    }

    /**
     * What went wrong, read from the data alone (not from what the workers believe they did).
     * Every order here was either paid by its webhook, cancelled as unpaid, or bought at checkout.
     */
    public function audit(): array
    {
        $stock = ['oversold' => 0, 'negative' => 0, 'miscounted' => 0];
        foreach ($this->db->query(<<<'SQL'
            SELECT p.initial_stock, p.stock,
                   COALESCE(SUM(CASE WHEN o.status = 'paid' THEN i.qty END), 0) AS sold
            FROM products p LEFT JOIN order_items i ON i.product_id = p.id LEFT JOIN orders o ON o.id = i.order_id
            GROUP BY p.id
            SQL) as $p) {
            $stock['oversold'] += max(0, $p['sold'] - $p['initial_stock']);
            $stock['negative'] += max(0, -$p['stock']);
            // Stock must have gone down by exactly the units in paid orders.
            $stock['miscounted'] += abs($p['initial_stock'] - $p['stock'] - $p['sold']);
        }
        return $stock + [
            'double_captures' => (int)$this->value(
                'SELECT COALESCE(SUM(n - 1), 0) FROM (SELECT COUNT(*) AS n FROM captures GROUP BY order_id)'
            ),
            // Paid with no capture or several, charged but not paid (cancelled), or left pending after
            // its payment event was delivered.
            'wrong_states' => (int)$this->value(<<<'SQL'
                SELECT COUNT(*) FROM (
                    SELECT o.status, (SELECT COUNT(*) FROM captures c WHERE c.order_id = o.id) AS n FROM orders o)
                WHERE (status = 'paid' AND n != 1) OR (status != 'paid' AND n > 0) OR status = 'pending'
                SQL),
        ];
    }

    private function insertOrder(?int $id, string $buyer, string $status, array $items): int
    {
        $this->db->prepare('INSERT INTO orders (id, buyer, status) VALUES (?, ?, ?)')->execute([$id, $buyer, $status]);
        $orderId = (int)$this->db->lastInsertId();
        $item = $this->db->prepare('INSERT INTO order_items VALUES (?, ?, ?)');
        foreach ($items as $productId => $qty) {
            $item->execute([$orderId, $productId, $qty]);
        }
        return $orderId;
    }

    private function decrement(array $items): void
    {
        $q = $this->db->prepare('UPDATE products SET stock = stock - ? WHERE id = ?');
        foreach ($items as $productId => $qty) {
            $q->execute([$qty, $productId]);
        }
    }

    /** BEGIN IMMEDIATE takes the write lock up front, so busy_timeout applies (a deferred transaction
     *  that reads first and upgrades later can fail at once instead of waiting). */
    private function transaction(callable $fn): void
    {
        $this->db->exec('BEGIN IMMEDIATE');
        try {
            $fn();
            $this->db->exec('COMMIT');
        } catch (Throwable $e) {
            $this->db->exec('ROLLBACK');
            throw $e;
        }
    }

    private function value(string $sql, array $args = []): mixed
    {
        $q = $this->db->prepare($sql);
        $q->execute($args);
        return $q->fetchColumn();
    }
}
