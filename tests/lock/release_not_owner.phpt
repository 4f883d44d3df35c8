--TEST--
Lock: a late holder whose lease expired cannot release, refresh or see the next holder's lock
--EXTENSIONS--
paylock
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
$store = redis_store();
$name = uniq();
$late = new PayLock\Lock($store, $name, 0.15);
$next = new PayLock\Lock($store, $name, 10);
var_dump($late->acquire());
usleep(250000);                       // the late holder's lease runs out
var_dump($late->remainingLifetime());
var_dump($next->acquire());           // and the next holder takes it
$lost0 = PayLock\stats()['lost'];

var_dump($late->release());           // false: it was no longer ours
var_dump($next->isAcquired());        // the next holder still has it
$late2 = new PayLock\Lock($store, $name, 0.15);
$late2->acquire(0.5);                  // waits, fails (next holds 10 s)
var_dump($late2->isAcquired());

$late3 = new PayLock\Lock($store, $name, 0.15);
// simulate a paused holder: acquire, pause past the lease, then refresh
$next->release();
$late3->acquire();
usleep(250000);
$next->acquire();
try {
	$late3->refresh();
} catch (PayLock\LockLostException $e) {
	echo get_class($e), "\n";
}
$nf = $next->fencingToken();
var_dump($late3->isAcquired(), $next->isAcquired(), PayLock\holder($store, $name)['fence'] === $nf);
var_dump(PayLock\stats()['lost'] - $lost0);
$next->release();
?>
--EXPECT--
bool(true)
NULL
bool(true)
bool(false)
bool(true)
bool(false)
PayLock\LockLostException
bool(false)
bool(true)
bool(true)
int(2)
