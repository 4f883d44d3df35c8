--TEST--
Lock::run(): returns $fn's value, releases on return and on exception, throws LockTimeoutException when busy
--EXTENSIONS--
paylock
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
$store = redis_store();
$name = uniq();
$l = new PayLock\Lock($store, $name, 5);
var_dump($l->run(function () use ($store, $name) {
	return ['held' => PayLock\holder($store, $name)['pid'] === getmypid()];
}));
var_dump(PayLock\holder($store, $name));
try {
	$l->run(function () { throw new DomainException('card declined'); });
} catch (DomainException $e) {
	echo "propagated: ", $e->getMessage(), "\n";
}
var_dump(PayLock\holder($store, $name));

$other = new PayLock\Lock($store, $name);
$other->acquire();
try {
	$l->run(fn() => print("must not run\n"), 0.05);
} catch (PayLock\LockTimeoutException $e) {
	echo get_class($e), "\n";
}
$other->release();

// The lease ran out inside $fn and someone else took the lock: run() says so instead of returning.
$short = new PayLock\Lock($store, $name, 0.1);
try {
	$short->run(function () use ($store, $name) {
		usleep(200000);
		(new PayLock\Lock($store, $name))->acquire(); // leaks deliberately: released at scope end
		return 'done';
	});
} catch (PayLock\LockLostException $e) {
	echo get_class($e), ": ", str_replace($name, 'NAME', $e->getMessage()), "\n";
}
?>
--EXPECT--
array(1) {
  ["held"]=>
  bool(true)
}
NULL
propagated: card declined
NULL
PayLock\LockTimeoutException
PayLock\LockLostException: Lock "NAME" expired while run() was executing; the critical section may have overlapped with another holder
