--TEST--
Lock: a timed wait returns false on time (not Redis' 100 ms timer tick late); acquireOrFail throws LockTimeoutException
--EXTENSIONS--
paylock
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
$slow = getenv('USE_ZEND_ALLOC') === '0' ? 20 : 1;
$store = redis_store();
$name = uniq();
$holder = new PayLock\Lock($store, $name, 30);
$holder->acquire();
$w = new PayLock\Lock($store, $name);
$s0 = PayLock\stats();
foreach ([0.0, 0.05, 0.25] as $wait) {
	$t = microtime(true);
	$r = $w->acquire($wait);
	$dt = microtime(true) - $t;
	printf("wait %.2f: %s, on time: %s\n", $wait, var_export($r, true),
		$dt >= $wait && $dt < $wait + 0.02 * $slow ? 'yes' : "no ($dt)");
}
try {
	$w->acquireOrFail(0.1);
} catch (PayLock\LockTimeoutException $e) {
	echo str_replace($name, 'NAME', $e->getMessage()), "\n";
}
$s1 = PayLock\stats();
echo "timeouts +", $s1['timeouts'] - $s0['timeouts'], ", contended +", $s1['contended'] - $s0['contended'], "\n";
var_dump($s1['wait_seconds'] - $s0['wait_seconds'] >= 0.4);
// The store still works after the give-up dropped the blocked connection.
var_dump($holder->release(), $w->acquire(), $w->release());
?>
--EXPECT--
wait 0.00: false, on time: yes
wait 0.05: false, on time: yes
wait 0.25: false, on time: yes
Could not acquire lock "NAME" within 0.100 s
timeouts +3, contended +4
bool(true)
bool(true)
bool(true)
bool(true)
