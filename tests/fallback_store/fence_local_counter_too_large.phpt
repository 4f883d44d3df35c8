--TEST--
FallbackStore: a local fencing counter past 2^53 - 1 (which Redis tokens cannot follow) is a StoreException naming the counter file and the fix, the lock stays held, and deleting the file mends it
--EXTENSIONS--
paylock
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
$dir = lock_dir();
$fb = new PayLock\FallbackStore(new PayLock\RedisStore(getenv('PAYLOCK_TEST_REDIS')), new PayLock\FileStore($dir));
$l = new PayLock\Lock($fb, uniq('f'), 5.0);
$l->acquire();
file_put_contents("$dir/fencing-counter", "9223372036854775806");
try {
	$l->fencingToken();
	echo "no exception\n";
} catch (PayLock\StoreException $e) {
	echo "StoreException names the file: ", var_export(str_contains($e->getMessage(), "($dir)") && str_contains($e->getMessage(), 'fencing-counter'), true),
		", says the fix: ", var_export(str_contains($e->getMessage(), 'Fix: reset the local fencing counter'), true), "\n";
}
echo "still held: ", var_export($l->isAcquired(), true), "\n";
unlink("$dir/fencing-counter");
$t = $l->fencingToken();
echo "after deleting it: token from the clock: ", var_export($t > 1_000_000_000_000_000, true), "\n";
?>
--EXPECT--
StoreException names the file: true, says the fix: true
still held: true
after deleting it: token from the clock: true
