--TEST--
Lock: refresh() extends the lease (default ttl or the given one) on the server and locally
--EXTENSIONS--
paylock
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
$store = redis_store();
$name = uniq();
$l = new PayLock\Lock($store, $name, 0.4);
$l->acquire();
for ($i = 0; $i < 4; $i++) {   // 0.8 s in all, twice the ttl: the lease only survives through refresh
	usleep(200000);
	$l->refresh();
}
var_dump($l->isAcquired());
$l->refresh(60);
$h = PayLock\holder($store, $name);
var_dump($h['ttl'] > 59 && $h['ttl'] <= 60, $l->remainingLifetime() > 59);
$l->refresh();   // back to the lock's own ttl
var_dump(PayLock\holder($store, $name)['ttl'] <= 0.4);
$l->release();
try {
	$l->refresh();
} catch (PayLock\LockLostException $e) {
	echo "refresh after release: ", get_class($e), "\n";
}
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
bool(true)
refresh after release: PayLock\LockLostException
