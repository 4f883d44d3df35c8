--TEST--
IdempotencyGuard: a damaged or foreign record gives StoreException (never a crash, never a silent re-run); forget() clears it
--EXTENSIONS--
paylock
--INI--
pcre.jit=0
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
use PayLock\IdempotencyGuard;

function attempt(IdempotencyGuard $g, string $key, string $what): void
{
	$ran = false;
	try {
		$r = $g->run($key, function () use (&$ran) { $ran = true; return 'ran'; });
		echo "$what: returned ", var_export($r, true), ($ran ? ' (step ran)' : ''), "\n";
	} catch (PayLock\StoreException $e) {
		echo "$what: StoreException: ", preg_replace('/(record|at) ((Cluster node|Cluster|Sentinel master|Sentinel) )?\S+( \([^)]*\))?/', '$1 X', $e->getMessage()), ($ran ? ' STEP RAN' : ''), "\n";
	}
}

echo "== redis\n";
$g = new IdempotencyGuard(redis_store());
$key = uniq('pay');
$rk = 'paylock:idem:{' . $key . '}';
$g->run($key, fn() => ['id' => 'ch_1', 'amount' => 100]);
$good = redis_raw(['HGET', $rk, 'v']);
foreach ([
	'garbage result' => ['HSET', $rk, 'v', 'a:1:{s:1:"x";O:8:"stdClass":0:{}}'],
	'truncated result' => ['HSET', $rk, 'v', substr($good, 0, -3)],
	'trailing bytes' => ['HSET', $rk, 'v', $good . 'N'],
	'huge length claimed' => ['HSET', $rk, 'v', "\x01S\xff\xff\xff\xff\x0f"],
	'unknown state' => ['HSET', $rk, 's', 'zz'],
	'done without result' => ['HDEL', $rk, 'v'],
] as $what => $cmd) {
	redis_raw(['HSET', $rk, 's', 'd', 'v', $good]);
	redis_raw($cmd);
	attempt($g, $key, $what);
}
redis_raw(['DEL', $rk]);
redis_raw(['SET', $rk, 'someone else\'s string']);
attempt($g, $key, 'not a hash');
$g->forget($key);
attempt($g, $key, 'after forget()');

echo "== file\n";
$dir = lock_dir();
$g = new IdempotencyGuard(new PayLock\FileStore($dir));
$key = uniq('pay');
$path = $dir . '/' . hash('sha256', 'idem:{' . $key . '}') . '.idem';
$g->run($key, fn() => ['id' => 'ch_1', 'amount' => 100]);
$good = file_get_contents($path);
[$head, $body] = explode("\n", $good, 2);
foreach ([
	'garbage file' => "not a record at all\n",
	'no header line' => str_repeat('x', 300),
	'bad magic' => 'XXXX' . substr($good, 4),
	'truncated result' => substr($good, 0, -3),
	'garbage result' => preg_replace('/\d+$/', '5', $head) . "\nhello",
	'unknown state' => substr_replace($good, 'z', 5, 1),
] as $what => $content) {
	file_put_contents($path, $content);
	attempt($g, $key, $what);
}
$g->forget($key);
attempt($g, $key, 'after forget()');
?>
--EXPECTF--
== redis
garbage result: StoreException: The stored result of idempotency key "pay:%s" cannot be decoded; it was not written by PayLock or is damaged. Inspect it, then forget() the key
truncated result: StoreException: The stored result of idempotency key "pay:%s" cannot be decoded; it was not written by PayLock or is damaged. Inspect it, then forget() the key
trailing bytes: StoreException: The stored result of idempotency key "pay:%s" cannot be decoded; it was not written by PayLock or is damaged. Inspect it, then forget() the key
huge length claimed: StoreException: The stored result of idempotency key "pay:%s" cannot be decoded; it was not written by PayLock or is damaged. Inspect it, then forget() the key
unknown state: StoreException: Idempotency record X at X is damaged (no state or result PayLock can read)
done without result: StoreException: Idempotency record X at X is damaged (no state or result PayLock can read)
not a hash: StoreException: Redis at X answered: WRONGTYPE %s
after forget(): returned 'ran' (step ran)
== file
garbage file: StoreException: Idempotency record X is damaged (unreadable header)
no header line: StoreException: Idempotency record X is damaged (no header line)
bad magic: StoreException: Idempotency record X is damaged (unreadable header)
truncated result: StoreException: Idempotency record X is damaged (header does not match its contents)
garbage result: StoreException: The stored result of idempotency key "pay:%s" cannot be decoded; it was not written by PayLock or is damaged. Inspect it, then forget() the key
unknown state: StoreException: Idempotency record X is damaged (unreadable header)
after forget(): returned 'ran' (step ran)