<?php
// The harness's side of the shop database (tests/e2e/run.sh runs it; connection from SHOP_DB_*):
//
//   shopctl.php wait-db SECONDS                 until MariaDB accepts the shop user
//   shopctl.php schema                          creates the tables (schema.sql)
//   shopctl.php seed PHASE PRODUCTS STOCK       products of a phase; prints their ids
//   shopctl.php events PHASE DIR                one gateway event per order of the phase, a JSON file each in DIR
//   shopctl.php check PHASE DEGRADED CHECKOUTS CHECKOUTS_2XX DELIVERIES
//        the assertions, from the database, after a phase's storms: DEGRADED 1 when every lock and
//        claim must have been degraded (Redis down), 0 when none; CHECKOUTS and DELIVERIES the number
//        of requests the load generator completed, CHECKOUTS_2XX how many checkouts it saw succeed.
//        Prints a summary and one "VIOLATION <kind>: ..." line per broken invariant; exits 1 if any.

declare(strict_types=1);

function db(): PDO
{
	static $pdo = null;
	return $pdo ??= new PDO(getenv('SHOP_DB_DSN'), getenv('SHOP_DB_USER'), getenv('SHOP_DB_PASSWORD'), [
		PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION,
		PDO::ATTR_DEFAULT_FETCH_MODE => PDO::FETCH_ASSOC,
		PDO::ATTR_EMULATE_PREPARES => false,
	]);
}

/** One row of aggregates, as ints (MariaDB's SUM() is a DECIMAL, which PDO hands over as a string). */
function row(string $sql, array $args = []): array
{
	$q = db()->prepare($sql);
	$q->execute($args);
	return array_map('intval', $q->fetch());
}

/** A query's first column, for every row. */
function column(string $sql, array $args = []): array
{
	$q = db()->prepare($sql);
	$q->execute($args);
	return $q->fetchAll(PDO::FETCH_COLUMN);
}

function wait_db(float $seconds): void
{
	$deadline = microtime(true) + $seconds;
	for (;;) {
		try {
			db()->query('SELECT 1');
			return;
		} catch (PDOException $e) {
			if (microtime(true) > $deadline) {
				fwrite(STDERR, "shopctl: MariaDB not ready after {$seconds}s: {$e->getMessage()}\n");
				exit(2);
			}
			usleep(100000);
		}
	}
}

function schema(): void
{
	// Comments may hold semicolons: drop them before splitting into statements.
	$sql = preg_replace('/--[^\n]*/', '', file_get_contents(__DIR__ . '/schema.sql'));
	foreach (array_filter(array_map('trim', explode(';', $sql))) as $statement) {
		db()->exec($statement);
	}
}

function seed(string $phase, int $products, int $stock): void
{
	$insert = db()->prepare('INSERT INTO products (phase, price_cents, initial_stock, stock) VALUES (?, ?, ?, ?)');
	for ($i = 0; $i < $products; $i++) {
		$insert->execute([$phase, 1000 + 137 * $i, $stock, $stock]);
		echo db()->lastInsertId(), "\n";
	}
}

/** The gateway's "payment succeeded" event of every order of the phase, one file each; prints their paths. */
function events(string $phase, string $dir): void
{
	$q = db()->prepare('SELECT id, amount_cents FROM orders WHERE phase = ? ORDER BY id');
	$q->execute([$phase]);
	foreach ($q as $order) {
		$event = [
			'id' => "evt_{$phase}_{$order['id']}",
			'type' => 'payment.succeeded',
			'data' => ['object' => ['order_id' => $order['id'], 'amount' => $order['amount_cents'], 'currency' => 'EUR']],
		];
		$file = "$dir/evt_{$phase}_{$order['id']}.json";
		file_put_contents($file, json_encode($event, JSON_THROW_ON_ERROR));
		echo $file, "\n";
	}
}

/** Collects violations: kind => messages. */
final class Verdict
{
	public array $violations = [];

	/** Records a violation of $kind unless $ok. */
	public function expect(bool $ok, string $kind, string $message): void
	{
		if (!$ok) {
			$this->violations[] = "VIOLATION $kind: $message";
		}
	}

	/** Records a violation of $kind when the query finds offending ids. */
	public function none(string $kind, string $what, array $ids): void
	{
		$shown = implode(', ', array_slice($ids, 0, 5)) . (count($ids) > 5 ? ', ...' : '');
		$this->expect($ids === [], $kind, count($ids) . " $what (ids $shown)");
	}
}

function check_stock(Verdict $v, string $phase, int $checkoutRequests, int $checkoutsOk): void
{
	$s = row('SELECT COUNT(*) AS products, SUM(initial_stock) AS initial, SUM(stock) AS final, MIN(stock) AS min
		FROM products WHERE phase = ?', [$phase]);
	$sold = row('SELECT COALESCE(SUM(i.qty), 0) AS n FROM order_items i JOIN products p ON p.id = i.product_id
		WHERE p.phase = ?', [$phase])['n'];
	$c = row("SELECT COUNT(*) AS requests, SUM(http_status = 201) AS ok, SUM(http_status = 409) AS sold_out,
		SUM(http_status NOT IN (201, 409)) AS other, SUM(contended) AS contended FROM checkouts WHERE phase = ?", [$phase]);
	$orders = row('SELECT COUNT(*) AS n FROM orders WHERE phase = ?', [$phase])['n'];
	printf("  stock: %d products, %d units -> %d left (min %d), %d units sold in %d orders\n",
		$s['products'], $s['initial'], $s['final'], $s['min'], $sold, $orders);
	printf("  checkouts: %d requests: %d ordered (201), %d sold out (409), %d other; %d queued on a busy product lock\n",
		$c['requests'], $c['ok'], $c['sold_out'], $c['other'], $c['contended']);

	$v->expect($s['min'] >= 0, 'negative-stock', "a product's stock is {$s['min']}");
	$v->none('oversold', 'products whose initial - final stock differs from the units in orders', column(
		'SELECT p.id FROM products p LEFT JOIN order_items i ON i.product_id = p.id WHERE p.phase = ?
		GROUP BY p.id HAVING MAX(p.initial_stock) - MAX(p.stock) <> COALESCE(SUM(i.qty), 0)', [$phase]));
	$v->expect($s['initial'] - $s['final'] === $sold, 'oversold', "units sold $sold, initial - final stock " . ($s['initial'] - $s['final']));
	$v->expect($c['ok'] === $orders, 'checkout-count', "{$c['ok']} checkouts answered 201 but $orders orders exist");
	$v->expect($c['other'] === 0, 'checkout-status', "{$c['other']} checkouts answered neither 201 nor 409");
	$v->expect($c['requests'] === $checkoutRequests, 'checkout-count',
		"the load generator completed $checkoutRequests checkouts, the shop logged {$c['requests']}");
	$v->expect($c['ok'] === $checkoutsOk, 'checkout-count', "the load generator saw $checkoutsOk checkouts succeed, the shop {$c['ok']}");
	// Sanity of the storm: there were more buyers than units, so everything sold out.
	$v->expect($s['final'] === 0 && $c['sold_out'] > 0, 'storm', "not sold out: {$s['final']} units left, {$c['sold_out']} sold-out answers");
}

function check_payments(Verdict $v, string $phase, int $deliveryRequests): void
{
	$o = row("SELECT COUNT(*) AS orders, SUM(status = 'paid') AS paid, COALESCE(SUM(amount_cents), 0) AS amount
		FROM orders WHERE phase = ?", [$phase]);
	$items = row('SELECT COALESCE(SUM(i.qty * i.price_cents), 0) AS n FROM order_items i JOIN orders o ON o.id = i.order_id
		WHERE o.phase = ?', [$phase])['n'];
	$cap = row('SELECT COUNT(*) AS n, COALESCE(SUM(c.amount_cents), 0) AS amount FROM captures c JOIN orders o ON o.id = c.order_id
		WHERE o.phase = ?', [$phase]);
	$ex = row('SELECT COUNT(*) AS n FROM executions e JOIN orders o ON o.id = e.order_id WHERE o.phase = ?', [$phase])['n'];
	$d = row('SELECT COUNT(*) AS n, COUNT(DISTINCT d.event_id) AS events, SUM(d.ran) AS ran, SUM(d.waited) AS waited,
		SUM(d.http_status <> 200) AS not_ok FROM deliveries d JOIN orders o ON o.id = d.order_id WHERE o.phase = ?', [$phase]);
	printf("  webhook: %d deliveries of %d events: %d ran the step, %d replayed the stored result (%d of them waited for a running delivery), %d not 200\n",
		$d['n'], $d['events'], $d['ran'], $d['n'] - $d['ran'], $d['waited'], $d['not_ok']);
	printf("  payments: %d orders, %d paid, %d captures, %d step executions; captured %.2f, ordered %.2f\n",
		$o['orders'], $o['paid'], $cap['n'], $ex, $cap['amount'] / 100, $o['amount'] / 100);

	$byOrder = 'FROM orders o LEFT JOIN captures c ON c.order_id = o.id WHERE o.phase = ? GROUP BY o.id';
	$v->none('double-capture', 'orders captured more than once', column("SELECT o.id $byOrder HAVING COUNT(c.id) > 1", [$phase]));
	$v->none('paid-without-capture', 'paid orders without a capture', column("SELECT o.id $byOrder HAVING MAX(o.status) = 'paid' AND COUNT(c.id) = 0", [$phase]));
	$v->none('capture-without-paid', 'captures of orders not paid', column("SELECT o.id $byOrder HAVING MAX(o.status) <> 'paid' AND COUNT(c.id) > 0", [$phase]));
	$v->none('paid-twice', 'orders marked paid more than once', column('SELECT id FROM orders WHERE phase = ? AND paid_count > 1', [$phase]));
	$v->none('unpaid', 'orders still unpaid after their event', column("SELECT id FROM orders WHERE phase = ? AND status <> 'paid'", [$phase]));
	$v->none('amount', 'captures of another amount than the order', column('SELECT c.id FROM captures c JOIN orders o ON o.id = c.order_id
		WHERE o.phase = ? AND c.amount_cents <> o.amount_cents', [$phase]));
	$v->expect($cap['amount'] === $o['amount'], 'amount', "captured {$cap['amount']} cents, orders total {$o['amount']}");
	$v->expect($items === $o['amount'], 'amount', "order lines total $items cents, orders total {$o['amount']}");
	$v->none('executions', 'events whose payment step did not run exactly once', column('SELECT o.id FROM orders o
		LEFT JOIN executions e ON e.order_id = o.id WHERE o.phase = ? GROUP BY o.id HAVING COUNT(e.id) <> 1', [$phase]));
	$v->expect($ex === $d['events'] && $ex === $o['orders'], 'executions', "$ex step executions for {$d['events']} events and {$o['orders']} orders");
	$v->expect($d['not_ok'] === 0, 'delivery-status', "{$d['not_ok']} deliveries not answered 200");
	$v->none('replay', 'deliveries answered with another capture than their order\'s', column('SELECT DISTINCT d.id FROM deliveries d
		JOIN orders o ON o.id = d.order_id LEFT JOIN captures c ON c.order_id = o.id
		WHERE o.phase = ? AND NOT (d.capture_id <=> c.id)', [$phase]));
	$v->expect($d['n'] === $deliveryRequests, 'delivery-count',
		"the load generator completed $deliveryRequests deliveries, the shop logged {$d['n']}");
	// Sanity of the storm: duplicates of an event really were in flight at the same time.
	$v->expect($d['waited'] > 0 || $phase === 'unguarded', 'storm', 'no duplicate delivery ever waited for a running one');
}

function check_degraded(Verdict $v, string $phase, bool $degraded): void
{
	$want = (int)$degraded;
	$orders = column('SELECT id FROM orders WHERE phase = ? AND degraded <> ?', [$phase, $want]);
	$captures = column('SELECT c.id FROM captures c JOIN orders o ON o.id = c.order_id WHERE o.phase = ? AND c.degraded <> ?', [$phase, $want]);
	// With Redis down, a replay may be answered from this host's own record without asking Redis at all
	// (README, idempotency on FallbackStore): only the runs of the step are known to be degraded.
	$deliveries = column('SELECT d.id FROM deliveries d JOIN orders o ON o.id = d.order_id
		WHERE o.phase = ? AND d.degraded = 1 AND ? = 0', [$phase, $want]);
	$degradedDeliveries = row('SELECT COALESCE(SUM(d.degraded), 0) AS n FROM deliveries d JOIN orders o ON o.id = d.order_id
		WHERE o.phase = ?', [$phase])['n'];
	$state = $degraded ? 'degraded (local file locks only)' : 'on Redis';
	printf("  store: every checkout lock and payment claim must be %s: %d orders, %d captures were not; %d deliveries saw Redis down\n",
		$state, count($orders), count($captures), $degradedDeliveries);
	$v->none('degraded', "orders whose checkout lock was not $state", $orders);
	$v->none('degraded', "captures whose claim was not $state", $captures);
	$v->none('degraded', 'deliveries degraded with Redis up', $deliveries);
}

function check(string $phase, bool $degraded, int $checkouts, int $checkoutsOk, int $deliveries): never
{
	$v = new Verdict();
	check_stock($v, $phase, $checkouts, $checkoutsOk);
	check_payments($v, $phase, $deliveries);
	if ($phase !== 'unguarded') {
		check_degraded($v, $phase, $degraded);
	}
	foreach ($v->violations as $line) {
		echo "  $line\n";
	}
	echo $v->violations === [] ? "  db checks: all passed\n" : '  db checks: ' . count($v->violations) . " violation(s)\n";
	exit($v->violations === [] ? 0 : 1);
}

$argv += array_fill(0, 7, '');
match ($argv[1]) {
	'wait-db' => wait_db((float)$argv[2]),
	'schema' => schema(),
	'seed' => seed($argv[2], (int)$argv[3], (int)$argv[4]),
	'events' => events($argv[2], $argv[3]),
	'check' => check($argv[2], $argv[3] === '1', (int)$argv[4], (int)$argv[5], (int)$argv[6]),
	default => (function () {
		fwrite(STDERR, "usage: see the top of tests/e2e/shopctl.php\n");
		exit(2);
	})(),
};
