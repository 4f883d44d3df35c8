--TEST--
RedisStore fencing: a damaged (negative, garbage, overflowing) counter is a StoreException and the lock stays held
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
require_once __DIR__ . '/../_support/redis_server.inc';
$redis = new PrivateRedis();
$store = new PayLock\RedisStore($redis->dsn(), ['prefix' => 'p:']);
foreach (['-5', 'garbage', '1.5', '99999999999999999999', '9007199254740991'] as $bad) {
	$name = uniq('dmg');
	// The per-name counter, and the old per-prefix one (older PayLock used INCR on it).
	$redis->cmd(['SET', "p:{{$name}}:fence", $bad]);
	$redis->cmd(['SET', 'p:fence', $bad]);
	$lock = new PayLock\Lock($store, $name, 10);
	$lock->acquire();
	try {
		$t = $lock->fencingToken();
		echo $bad, ': token ', $t, "\n";
	} catch (PayLock\LockLostException $e) {
		echo $bad, ': LockLostException (lock dropped): ', $e->getMessage(), "\n";
	} catch (PayLock\StoreException $e) {
		echo $bad, ': ', get_class($e), ' ', str_contains($e->getMessage(), 'still held') ? 'says still held' : $e->getMessage(), "\n";
	}
	var_dump($lock->isAcquired());
	$lock->release();
}
// A lock value whose fence field PayLock did not write: holder() and fencingToken() refuse it.
$name = uniq('dmg');
$lock = new PayLock\Lock($store, $name, 10);
$lock->acquire();
$v = $redis->cmd(['GET', "p:{{$name}}"]);
$redis->cmd(['SET', "p:{{$name}}", "$v|-7", 'PX', '10000']);
try {
	$lock->fencingToken();
} catch (PayLock\StoreException $e) {
	echo get_class($e), "\n";
}
try {
	PayLock\holder($store, $name);
} catch (PayLock\StoreException $e) {
	echo get_class($e), "\n";
}
var_dump($lock->isAcquired());
?>
--EXPECT--
-5: PayLock\StoreException says still held
bool(true)
garbage: PayLock\StoreException says still held
bool(true)
1.5: PayLock\StoreException says still held
bool(true)
99999999999999999999: PayLock\StoreException says still held
bool(true)
9007199254740991: PayLock\StoreException says still held
bool(true)
PayLock\StoreException
PayLock\StoreException
bool(true)
