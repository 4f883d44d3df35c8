--TEST--
Redis faults: a waiter gets the lock of a holder whose lease ran out right at the lease end (median under 10 ms, every one under 30 ms; measured 2-3 ms on an idle machine) at Redis' default hz 10 (Lock and MultiLock), not on Redis' next timer tick (up to 100 ms late)
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/faults.inc';
$slow = getenv('USE_ZEND_ALLOC') === '0' ? 10 : 1;
$r = fault_redis(); // --hz 10
echo "hz: ", fault_raw($r, ['CONFIG', 'GET', 'hz'])[1], "\n";
$store = new PayLock\RedisStore("redis://127.0.0.1:{$r['port']}");
foreach (['Lock' => fn($n) => new PayLock\Lock($store, $n, 5),
		'MultiLock' => fn($n) => new PayLock\MultiLock($store, ["$n:z", $n], 5)] as $what => $make) {
	$late = [];
	foreach ([0.13, 0.17, 0.21, 0.26, 0.33, 0.38, 0.45] as $ttl) { // lease ends all over Redis' 100 ms ticks
		$name = uniq('lease');
		$holder = new PayLock\Lock($store, $name, $ttl);
		$holder->acquire();
		$end = hrtime(true) + (int)($ttl * 1e9); // no later than the lease end on Redis
		$waiter = $make($name);
		if (!$waiter->acquire(3.0)) {
			echo "$what: not acquired\n";
		}
		$late[] = (hrtime(true) - $end) / 1e6;
		$waiter->release();
		unset($holder);
	}
	sort($late);
	$median = $late[intdiv(count($late), 2)];
	printf("%s: lock taken at the lease end, not on Redis' tick: %s\n", $what,
		$median < 10 * $slow && max($late) < 30 * $slow ? 'yes'
			: sprintf('no (median %.1f ms, up to %.1f ms late)', $median, max($late)));
}
fault_redis_stop($r);
?>
--EXPECT--
hz: 10
Lock: lock taken at the lease end, not on Redis' tick: yes
MultiLock: lock taken at the lease end, not on Redis' tick: yes
