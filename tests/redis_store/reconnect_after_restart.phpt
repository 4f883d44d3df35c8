--TEST--
RedisStore: after a Redis restart the next call reconnects silently and the scripts are loaded again
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
$store = new PayLock\RedisStore("redis://127.0.0.1:$port", ['persistent' => true]);
$lock = new PayLock\Lock($store, 'order:42', 30);
var_dump($lock->acquire(), $lock->fencingToken() > 10 ** 15); // microseconds since 1970 or more

// Restart while the lock is held: the data (and the script cache) is gone.
stop_private_redis($r);
$r = start_private_redis($port);
var_dump(redis_raw(['SCRIPT', 'EXISTS', sha1('x')], $port));

// isAcquired() reconnects silently and tells the truth: the lock vanished with the restart.
var_dump($lock->isAcquired());
// acquire() runs its script again (NOSCRIPT -> EVAL) and works.
var_dump($lock->acquire());
// A second restart, this time between acquire and release.
stop_private_redis($r);
$r = start_private_redis($port);
var_dump($lock->release());
var_dump($lock->acquire(), $lock->release());

// Redis down for good: a clear ConnectionException, not a hang or a warning.
stop_private_redis($r);
try {
	$lock->acquire();
} catch (PayLock\ConnectionException $e) {
	echo get_class($e), "\n";
}
?>
--EXPECT--
bool(true)
bool(true)
array(1) {
  [0]=>
  int(0)
}
bool(false)
bool(true)
bool(false)
bool(true)
bool(true)
PayLock\ConnectionException
