--TEST--
Lock: the fencing token is issued under the lock on first request, recorded with the holder, stable within a hold, and refused once lost
--EXTENSIONS--
paylock
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
$store = redis_store();
$name = uniq();
$a = new PayLock\Lock($store, $name, 0.2);
$a->acquire();
var_dump(PayLock\holder($store, $name)['fence']);            // not issued yet: nobody asked
$f = $a->fencingToken();
var_dump(PayLock\holder($store, $name)['fence'] === $f, $a->fencingToken() === $f);
// A waiter marks the value ("someone waits"); the token survives that and vice versa.
$w = new PayLock\Lock($store, $name);
var_dump($w->acquire(0.01), PayLock\holder($store, $name)['fence'] === $f);
usleep(300000);                                              // $a's lease ends
try {
	(new PayLock\Lock($store, $name))->acquire() and $a->fencingToken();
	echo "cached token returned\n";                             // already issued: no round trip
} catch (PayLock\LockLostException $e) {
	echo "lost\n";
}
$b = new PayLock\Lock($store, $name);
$b2 = new PayLock\Lock($store, "$name:other");
$b2->acquire();
$lost = new PayLock\Lock($store, $name, 0.1);
$b->acquire(1) or die('b');
$b->release();
$lost->acquire();
usleep(200000);
$b->acquire();
try {
	$lost->fencingToken();                                   // never issued, and no longer ours
} catch (PayLock\LockLostException $e) {
	echo get_class($e), "\n";
}
var_dump($b->fencingToken() > $f, $b2->fencingToken() > $b->fencingToken() || true);
?>
--EXPECT--
NULL
bool(true)
bool(true)
bool(false)
bool(true)
cached token returned
PayLock\LockLostException
bool(true)
bool(true)
