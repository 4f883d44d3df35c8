--TEST--
FallbackStore: Redis stopped mid-run -> degraded on the local lock with one warning per request; restarted -> back on Redis (one notice); 'fail' throws
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
$r = start_private_redis();
$port = $r[0];
$file = new PayLock\FileStore(lock_dir());
$redis = new PayLock\RedisStore("redis://127.0.0.1:$port", ['connect_timeout' => 0.2]);
$fb = new PayLock\FallbackStore($redis, $file);
$s0 = PayLock\stats();

$l = new PayLock\Lock($fb, 'order:1', 10);
var_dump($l->acquire(), $l->isDegraded(), PayLock\holder($redis, 'order:1')['store']);
$fence = $l->fencingToken();
var_dump($l->release());

stop_private_redis($r);
$warnings = [];
set_error_handler(function ($no, $msg) use (&$warnings, $port) { $warnings[] = str_replace($port, 'PORT', $msg); return true; });
$a = new PayLock\Lock($fb, 'order:1', 10);
$b = new PayLock\Lock($fb, 'order:1', 10);
var_dump($a->acquire(), $a->isDegraded(), $a->remainingLifetime());
var_dump($b->acquire());                         // the local lock still excludes
var_dump($a->fencingToken() > $fence);           // tokens keep growing across the switch
var_dump(PayLock\holder($fb, 'order:1')['store']);  // answered by the file store
var_dump($a->release(), $b->acquire(), $b->isDegraded(), $b->release());
restore_error_handler();
echo count($warnings), " warning(s): ", $warnings[0], "\n";
echo "degraded +", PayLock\stats()['degraded'] - $s0['degraded'], "\n";

// on_redis_down => 'fail': a ConnectionException, and the local lock is not left behind.
$strict = new PayLock\FallbackStore($redis, $file, ['on_redis_down' => 'fail']);
$c = new PayLock\Lock($strict, 'order:2');
try {
	$c->acquire();
} catch (PayLock\ConnectionException $e) {
	echo get_class($e), "\n";
}
var_dump(PayLock\holder($file, 'order:2'));

// Redis is back: the next acquire uses it again.
$r = start_private_redis($port);
$d = new PayLock\Lock($fb, 'order:1', 10);
var_dump($d->acquire(), $d->isDegraded(), PayLock\holder($redis, 'order:1')['pid'] === getmypid(), $d->release());
stop_private_redis($r);
try {
	new PayLock\FallbackStore($redis, $file, ['on_redis_down' => 'ignore']);
} catch (ValueError $e) {
	echo $e->getMessage(), "\n";
}
?>
--EXPECTF--
bool(true)
bool(false)
string(5) "redis"
bool(true)
bool(true)
bool(true)
float(INF)
bool(false)
bool(true)
string(4) "file"
bool(true)
bool(true)
bool(true)
bool(true)
1 warning(s): PayLock\Lock::acquire(): Cannot connect to Redis at 127.0.0.1:PORT: Connection refused; FallbackStore continues on local file locks only (degraded) for this request
degraded +2
PayLock\ConnectionException
NULL

Notice: PayLock\Lock::acquire(): Redis at 127.0.0.1:%d is reachable again; FallbackStore left degraded mode in %s on line %d
bool(true)
bool(false)
bool(true)
bool(true)
PayLock\FallbackStore::__construct(): Argument #3 ($options) option "on_redis_down" must be "degrade" or "fail"
