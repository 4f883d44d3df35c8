--TEST--
Fairness (Redis): a queued waiter's deadline is kept to the millisecond (Lock and MultiLock), and it leaves the queue behind it empty
--EXTENSIONS--
paylock
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
over_multilock_names(); // over a cluster without cross-slot MultiLock: one hash tag per test
$slow = getenv('USE_ZEND_ALLOC') === '0' ? 20 : 1;
$store = redis_store();
$p = uniq('late');
$holder = new PayLock\MultiLock($store, ["$p:a", "$p:b"], 30);
$holder->acquire();
foreach (['Lock' => fn() => new PayLock\Lock($store, "$p:b"),
		'MultiLock' => fn() => new PayLock\MultiLock($store, ["$p:a", "$p:b", "$p:c"])] as $what => $make) {
	$late = [];
	$early = 0;
	foreach ([0.01, 0.03, 0.07, 0.11, 0.13, 0.26, 0.3] as $wait) { // around Redis' 100 ms timer ticks
		$w = $make();
		$t = hrtime(true);
		$r = $w->acquire($wait);
		$dt = (hrtime(true) - $t) / 1e9;
		$early += $dt < $wait ? 1 : 0;
		$late[] = ($dt - $wait) * 1000;
		if ($r !== false) {
			echo "acquired?\n";
		}
	}
	// The median shows the accuracy; a loaded machine may deschedule one wait, but never by a Redis timer
	// tick (100 ms), which is what a deadline left to BLPOP's own timeout would cost.
	sort($late);
	$median = $late[intdiv(count($late), 2)];
	printf("%s: never early: %s, median at most 5 ms late: %s, none a timer tick late: %s\n", $what,
		$early ? 'no' : 'yes', $median < 5 * $slow ? 'yes' : sprintf('no (%.1f ms)', $median),
		max($late) < 50 * $slow ? 'yes' : sprintf('no (%.1f ms)', max($late)));
}
$left = 0;
foreach (['a', 'b', 'c'] as $n) {
	$left += redis_raw(['EXISTS', "paylock:{{$p}:$n}:q"]) + redis_raw(['EXISTS', "paylock:{{$p}:$n}:w"]);
}
echo "queue keys left: $left\n";
echo "holder still holds: ", var_export($holder->isAcquired(), true), "\n";
?>
--EXPECT--
Lock: never early: yes, median at most 5 ms late: yes, none a timer tick late: yes
MultiLock: never early: yes, median at most 5 ms late: yes, none a timer tick late: yes
queue keys left: 0
holder still holds: true
