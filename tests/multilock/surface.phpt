--TEST--
MultiLock: all or none on Redis, FileStore and FallbackStore (also degraded); a busy name leaves none held; same surface as Lock; bad names
--EXTENSIONS--
paylock
--INI--
pcre.jit=0
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
over_multilock_names(); // over a cluster without cross-slot MultiLock: one hash tag per test

function held(PayLock\Store $s, array $names): string
{
	return implode(' ', array_map(fn($n) => PayLock\holder($s, $n) === null ? '-' : 'H', $names));
}

$s = stream_socket_server('tcp://127.0.0.1:0');
$downPort = (int)explode(':', stream_socket_get_name($s, false))[1];
fclose($s); // nothing listens there now
$stores = [
	'redis' => redis_store(),
	'file' => new PayLock\FileStore(lock_dir()),
	'fallback' => new PayLock\FallbackStore(redis_store(), new PayLock\FileStore(lock_dir())),
	'fallback, Redis down' => new PayLock\FallbackStore(
		new PayLock\RedisStore("redis://127.0.0.1:$downPort", ['connect_timeout' => 0.2]),
		new PayLock\FileStore(lock_dir())),
];
set_error_handler(function ($no, $msg) { echo "  warning: ", preg_replace('/\d+/', 'N', $msg), "\n"; return true; });
foreach ($stores as $label => $store) {
	echo "== $label\n";
	$p = uniq('sku');
	$names = ["$p:c", "$p:a", "$p:b", "$p:a"];
	$sorted = ["$p:a", "$p:b", "$p:c"];
	$m = new PayLock\MultiLock($store, $names, 10);
	echo "names sorted, distinct: ", yes($m->names() === $sorted, 'names() = ' . json_encode($m->names())), "\n";
	var_dump($m->acquire(), $m->isAcquired(), $m->isDegraded());
	echo "held: ", held($store, $sorted), "\n";
	$f = $m->fencingTokens();
	echo "fencing tokens for ", implode(',', array_map(fn($k) => substr($k, -1), array_keys($f))), ": ",
		count(array_filter($f, 'is_int')) === 3 ? 'ints' : 'no', "\n";
	$left = $m->remainingLifetime();
	echo "remaining lifetime: ", $left > 9 ? 'ok' : "no ($left s, expected > 9)", "\n";
	$m->refresh(20);
	var_dump($m->acquire()); // already ours: renews
	// A Lock on one of the names and the MultiLock exclude each other.
	$one = new PayLock\Lock($store, "$p:b");
	var_dump($one->acquire());
	var_dump($m->release());
	echo "held after release: ", held($store, $sorted), "\n";
	var_dump($one->acquire());
	$t = microtime(true);
	var_dump($m->acquire(0), $m->acquire(0.2));
	printf("waited %.1f s; held while b is busy: %s\n", microtime(true) - $t, held($store, ["$p:a", "$p:c"]));
	$one->release();
	echo "run: ", $m->run(fn() => held($store, $sorted), 1), "; after: ", held($store, $sorted), "\n";
}
restore_error_handler();

echo "== lost name (Redis)\n";
$store = redis_store();
$p = uniq('sku');
$m = new PayLock\MultiLock($store, ["$p:x", "$p:y"], 10);
$m->acquire();
redis_raw(['DEL', "paylock:{{$p}:y}"]);
try {
	$m->refresh();
} catch (PayLock\LockLostException $e) {
	echo get_class($e), ": ", str_replace($p, 'P', $e->getMessage()), "\n";
}
echo "the other name let go too: ", held($store, ["$p:x", "$p:y"]), "\n";
var_dump($m->release(), $m->isAcquired());

echo "== bad arguments\n";
$p = uniq('sku');
foreach ([[], [1], [''], [str_repeat('n', 1025)], array_map(fn($i) => "n$i", range(0, 1024))] as $bad) {
	try {
		new PayLock\MultiLock($store, $bad);
	} catch (Throwable $e) {
		echo get_class($e), ": ", $e->getMessage(), "\n";
	}
}
$m = new PayLock\MultiLock($store, array_map(fn($i) => "$p:$i", range(1, 1024)), 5);
var_dump($m->acquire(), count($m->fencingTokens()), $m->release());
try {
	$m->fencingTokens();
} catch (PayLock\LockLostException $e) {
	echo get_class($e), ": ", preg_replace('/"[^"]*"/', '"N"', $e->getMessage()), "\n";
}
?>
--EXPECT--
== redis
names sorted, distinct: yes
bool(true)
bool(true)
bool(false)
held: H H H
fencing tokens for a,b,c: ints
remaining lifetime: ok
bool(true)
bool(false)
bool(true)
held after release: - - -
bool(true)
bool(false)
bool(false)
waited 0.2 s; held while b is busy: - -
run: H H H; after: - - -
== file
names sorted, distinct: yes
bool(true)
bool(true)
bool(false)
held: H H H
fencing tokens for a,b,c: ints
remaining lifetime: ok
bool(true)
bool(false)
bool(true)
held after release: - - -
bool(true)
bool(false)
bool(false)
waited 0.2 s; held while b is busy: - -
run: H H H; after: - - -
== fallback
names sorted, distinct: yes
bool(true)
bool(true)
bool(false)
held: H H H
fencing tokens for a,b,c: ints
remaining lifetime: ok
bool(true)
bool(false)
bool(true)
held after release: - - -
bool(true)
bool(false)
bool(false)
waited 0.2 s; held while b is busy: - -
run: H H H; after: - - -
== fallback, Redis down
names sorted, distinct: yes
  warning: PayLock\MultiLock::acquire(): Cannot connect to Redis at N.N.N.N:N: Connection refused; FallbackStore continues on local file locks only (degraded) for this request
bool(true)
bool(true)
bool(true)
held: H H H
fencing tokens for a,b,c: ints
remaining lifetime: ok
bool(true)
bool(false)
bool(true)
held after release: - - -
bool(true)
bool(false)
bool(false)
waited 0.2 s; held while b is busy: - -
run: H H H; after: - - -
== lost name (Redis)
PayLock\LockLostException: Locks "P:x", "P:y" are no longer held: a lease expired or another holder took one of them
the other name let go too: - -
bool(false)
bool(false)
== bad arguments
ValueError: PayLock\MultiLock::__construct(): Argument #2 ($names) must contain 1 to 1024 names
TypeError: PayLock\MultiLock::__construct(): Argument #2 ($names) must contain only strings, int given
ValueError: PayLock\MultiLock::__construct(): Argument #2 ($names) must contain names of 1 to 1024 bytes
ValueError: PayLock\MultiLock::__construct(): Argument #2 ($names) must contain names of 1 to 1024 bytes
ValueError: PayLock\MultiLock::__construct(): Argument #2 ($names) must contain 1 to 1024 names
bool(true)
int(1024)
bool(true)
PayLock\LockLostException: Locks "N", "N", "N" and 1021 more are no longer held: a lease expired or another holder took one of them
