--TEST--
README.md's marked PHP snippets run as written against the harness's Redis (and an SQLite table with the fence column the README asks for), and do what their comments promise
--EXTENSIONS--
paylock
pdo
pdo_sqlite
posix
--INI--
pcre.jit=0
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
require __DIR__ . '/../_support/readme_snippets.inc';
ini_set('paylock.redis_dsn', redis_dsn());

$snippets = readme_snippets();
echo 'snippets: ', implode(', ', array_keys($snippets)), "\n";

// What the lock snippet leaves to the reader: the stock functions and an orders table, in SQLite.
$db = new PDO('sqlite::memory:', null, null, [PDO::ATTR_ERRMODE => PDO::ERRMODE_EXCEPTION]);
$db->exec('CREATE TABLE stock (id INTEGER PRIMARY KEY, qty INTEGER NOT NULL)');
$db->exec('CREATE TABLE orders (id INTEGER PRIMARY KEY, status TEXT NOT NULL, fence BIGINT NOT NULL DEFAULT 0)');
$db->exec("INSERT INTO stock VALUES (42, 5), (43, 5)");
$db->exec("INSERT INTO orders (id, status) VALUES (1001, 'new')");
$GLOBALS['stock_db'] = $db;
$GLOBALS['reserved'] = [];
function read_stock(int $id): int
{
	return (int)$GLOBALS['stock_db']->query("SELECT qty FROM stock WHERE id = $id")->fetchColumn();
}
function write_stock(int $id, int $qty): void
{
	$GLOBALS['stock_db']->prepare('UPDATE stock SET qty = ? WHERE id = ?')->execute([$qty, $id]);
}
function reserve_stock(array $ids): void
{
	$GLOBALS['reserved'][] = $ids;
}
function order_row(PDO $db): string
{
	return json_encode($db->query('SELECT status, fence FROM orders WHERE id = 1001')->fetch(PDO::FETCH_NUM));
}
function thrown(array $v): string
{
	return isset($v['thrown']) ? get_class($v['thrown']) . ': ' . $v['thrown']->getMessage() : 'nothing';
}

$lockVars = ['productId' => 42, 'productIds' => [42, 43], 'orderId' => 1001, 'db' => $db];
$v = readme_snippet_run($snippets['quickstart-locks'], $lockVars, redis_dsn());
echo 'locks, thrown: ', thrown($v), "\n";
echo 'stock of 42 after one sale: ', read_stock(42), "\n";
echo 'carts reserved: ', json_encode($GLOBALS['reserved']), "\n";
$row = $db->query('SELECT status, fence FROM orders WHERE id = 1001')->fetch(PDO::FETCH_NUM);
echo 'order paid with the fencing token: ', yes($row[0] === 'paid' && (int)$row[1] === $v['token'] && $v['token'] > 0, order_row($db) . ' token ' . var_export($v['token'] ?? null, true)), "\n";
// A later holder wrote the order: the same code with an older token matches no row and says so.
$db->exec("UPDATE orders SET status = 'refunded', fence = 9007199254740990 WHERE id = 1001");
$v = readme_snippet_run($snippets['quickstart-locks'], $lockVars, redis_dsn());
echo 'stale token, thrown: ', thrown($v), "\n";
echo 'order untouched: ', order_row($db), "\n";
echo 'lock released in finally: ', json_encode(PayLock\holder(PayLock\defaultStore(), 'order:1001')), "\n";

// What the idempotency snippet leaves to the reader: the webhook event, the order, a payment gateway.
class GatewayTimeout extends Exception {}
class CardDeclined extends Exception {}
class Gateway
{
	public array $calls = [];
	public function __construct(public string $mode = 'ok') {}
	public function capture(string $paymentId, int $amount, string $idempotencyKey): object
	{
		$this->calls[] = $idempotencyKey;
		return match ($this->mode) {
			'timeout' => throw new GatewayTimeout('no answer'),
			'decline' => throw new CardDeclined('declined'),
			default => (object)['id' => 'txn-' . count($this->calls)],
		};
	}
}
class Order
{
	public int $paid = 0;
	public function __construct(public int $id) {}
	public function markPaid(string $charge): void
	{
		$this->paid++;
	}
}
function idem_vars(Gateway $gateway, Order $order, string $paymentId): array
{
	static $site = null;
	$site ??= 'https://shop.example/' . uniq('site');
	return ['siteUrl' => $site, 'order' => $order, 'gateway' => $gateway, 'paymentId' => $paymentId,
		'event' => ['id' => 'evt-' . $site, 'data' => ['object' => ['id' => 'ch_1', 'amount' => 1999]]],
		'amount' => 1999, 'currency' => 'EUR'];
}
function keys_seen(Gateway $g, string $paymentId): string
{
	return json_encode(array_map(fn($k) => preg_replace('/-\d+$/', '-<attempt>', str_replace($paymentId, 'P', $k)), $g->calls));
}
$order = new Order(1001);
$ok = new Gateway();
$pay = uniq('pay');
foreach ([1, 2] as $delivery) {
	$v = readme_snippet_run($snippets['quickstart-idempotency'], idem_vars($ok, $order, $pay), redis_dsn());
	echo "delivery $delivery: thrown ", thrown($v), ', result ', json_encode($v['result']), ', returned ', json_encode($v['returned'] ?? null), ', txn ', json_encode($v['txn'] ?? null), "\n";
}
echo 'order marked paid: ', $order->paid, ' time(s); gateway captures: ', keys_seen($ok, $pay), "\n";

// A timeout: the charge may exist, every later delivery is refused until someone looks.
$slow = new Gateway('timeout');
$pay = uniq('pay');
$v = readme_snippet_run($snippets['quickstart-idempotency'], idem_vars($slow, $order, $pay), redis_dsn());
echo 'timeout: ', thrown($v), "\n";
$v = readme_snippet_run($snippets['quickstart-idempotency'], idem_vars($ok, $order, $pay), redis_dsn());
echo 'after the timeout: ', get_class($v['thrown'] ?? new stdClass()), "\n";

// A decline: nothing happened, the next delivery tries again under a new attempt number.
$no = new Gateway('decline');
$pay = uniq('pay');
$v = readme_snippet_run($snippets['quickstart-idempotency'], idem_vars($no, $order, $pay), redis_dsn());
echo 'decline: ', thrown($v), "\n";
$again = new Gateway();
$v = readme_snippet_run($snippets['quickstart-idempotency'], idem_vars($again, $order, $pay), redis_dsn());
echo 'after the decline: thrown ', thrown($v), ', new attempt: ', yes($again->calls[0] !== $no->calls[0], json_encode([$no->calls, $again->calls])), "\n";
?>
--EXPECT--
snippets: quickstart-locks, quickstart-idempotency
locks, thrown: nothing
stock of 42 after one sale: 4
carts reserved: [[42,43]]
order paid with the fencing token: yes
stale token, thrown: RuntimeException: order 1001 was written by a later lock holder
order untouched: ["refunded",9007199254740990]
lock released in finally: null
delivery 1: thrown nothing, result {"order":1001,"status":"paid"}, returned null, txn {"txn":"txn-1"}
delivery 2: thrown nothing, result {"order":1001,"status":"paid"}, returned {"txn":"txn-1"}, txn null
order marked paid: 1 time(s); gateway captures: ["capture-P-<attempt>"]
timeout: GatewayTimeout: no answer
after the timeout: PayLock\OutcomeUnknownException
decline: CardDeclined: declined
after the decline: thrown nothing, new attempt: yes
