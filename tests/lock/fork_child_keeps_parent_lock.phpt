--TEST--
Lock: a forked child never releases, refreshes or breaks its parent's lock, not even when it exits normally
--EXTENSIONS--
paylock
pcntl
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
$store = redis_store();
$name = uniq();
$lock = new PayLock\Lock($store, $name, 30);
var_dump($lock->acquire());
$fence = $lock->fencingToken();

$pid = pcntl_fork();
if ($pid === 0) {
	// The child sees the parent's lock as not its own, and touching it does nothing to the server.
	$out = [];
	$out[] = var_export($lock->isAcquired(), true);
	$out[] = var_export($lock->release(), true);
	try { $lock->refresh(); } catch (PayLock\LockLostException $e) { $out[] = 'refresh: LockLostException'; }
	$out[] = var_export($lock->remainingLifetime(), true);
	file_put_contents(getenv('PAYLOCK_TEST_TMP') . "/child-$name", implode("\n", $out));
	exit(0); // a normal exit: destructors and RSHUTDOWN run in the child
}
pcntl_waitpid($pid, $status);
echo file_get_contents(getenv('PAYLOCK_TEST_TMP') . "/child-$name"), "\n";
$h = PayLock\holder($store, $name);
var_dump($lock->isAcquired(), $h['pid'] === getmypid(), $h['fence'] === $fence);
var_dump($lock->release());
?>
--EXPECT--
bool(true)
false
false
refresh: LockLostException
NULL
bool(true)
bool(true)
bool(true)
bool(true)
