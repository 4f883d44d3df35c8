--TEST--
Admin on RedisStore: forked holder and queued waiters are listed with the right holder (host, pid, lease, fence) and queue length; queue() shows the waiters in order; forceRelease() hands the lock to the first waiter within the usual hand-off time and the old holder's release()/isAcquired() report the loss
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
require __DIR__ . '/../_support/admin.inc';

$store = redis_store();
$admin = new PayLock\Admin($store);
$p = uniq('adm');
$busy = "$p:busy";
$alone = "$p:alone";

$holder = new PayLock\Lock($store, $busy, 300);
$holder->acquire();
$fence = $holder->fencingToken();
$other = new PayLock\Lock($store, $alone, 300);
$other->acquire();

// Three waiters, queued in a known order; each says when it got the lock.
$kids = [];
for ($i = 0; $i < 3; $i++) {
	$kids[] = spawn(function () use ($busy, $i) {
		$l = new PayLock\Lock(redis_store(), $busy, 30);
		$h = PayLock\stats()['handoffs'];
		$ok = $l->acquire(120);
		$at = microtime(true);
		$h = PayLock\stats()['handoffs'] - $h;
		usleep(300000);
		$l->release();
		return [$i, $ok, $at, $h];
	});
	$n = $i + 1;
	wait_until(fn() => count($admin->queue($busy)) >= $n);
}

$list = $admin->locks($p)['locks'];
$e = entry_of($list, $busy);
echo 'listed: ', same(count($list), 2), "\n";
echo 'holder pid: ', same($e['holder']['pid'] ?? null, getmypid()), "\n";
echo 'holder host: ', same($e['holder']['host'] ?? null, php_uname('n')), "\n";
echo 'fence: ', same($e['holder']['fence'] ?? null, $fence), "\n";
echo 'lease left in (0, 300]: ', yes(($e['holder']['ttl'] ?? 0) > 0 && $e['holder']['ttl'] <= 300, json_encode($e)), "\n";
echo 'age >= 0: ', yes(($e['holder']['age'] ?? -1) >= 0, json_encode($e)), "\n";
echo 'queue length: ', same($e['queue'] ?? null, 3), "\n";
echo 'not degraded: ', same($e['degraded'] ?? null, false), "\n";
echo 'alone: queue 0: ', same(entry_of($list, $alone)['queue'] ?? null, 0), "\n";
echo 'prefix filters: ', same(count($admin->locks("$p:al")['locks']), 1), "\n";

$q = $admin->queue($busy);
echo 'queue positions: ', same(array_column($q, 'position'), [1, 2, 3]), "\n";
echo 'waiters alive: ', yes(min(array_column($q, 'alive_for')) > 0, json_encode($q)), "\n";
echo 'token prefixes: ', yes(strlen($q[0]['token']) === 8, json_encode($q)), "\n";

$before = PayLock\stats()['forced_releases'];
$t0 = microtime(true);
$released = $admin->forceRelease($busy);
echo 'released holder: ', same($released['pid'] ?? null, getmypid()), "\n";
echo 'old holder isAcquired(): ', same($holder->isAcquired(), false), "\n";
echo 'old holder release(): ', same(@$holder->release(), false), "\n";
echo 'counted: ', same(PayLock\stats()['forced_releases'] - $before, 1), "\n";

$got = array_map('reap', $kids);
usort($got, fn($a, $b) => $a[2] <=> $b[2]);
echo 'all waiters got it: ', same(array_column($got, 1), [true, true, true]), "\n";
echo 'first waiter first: ', same($got[0][0], 0), "\n";
echo 'it was handed over (a grant, not a retry): ', same($got[0][3], 1), "\n";
echo 'FIFO after: ', same(array_column($got, 0), [0, 1, 2]), "\n";
// the usual hand-off: a grant is pushed to the waiter's own list and its BLPOP returns at once
echo 'handed over within 1 s: ', yes($got[0][2] - $t0 < 1.0, sprintf('%.3f s', $got[0][2] - $t0)), "\n";

echo 'force a free name: ', same($admin->forceRelease("$p:free"), null), "\n";
echo 'listing after: ', same(array_column($admin->locks($p)['locks'], 'name'), [$alone]), "\n";
$other->release();
try {
	$admin->locks('', null, 0);
} catch (ValueError $e) {
	echo $e->getMessage(), "\n";
}
try {
	$admin->queue('');
} catch (ValueError $e) {
	echo $e->getMessage(), "\n";
}
try {
	$admin->locks('', 'not-a-cursor');
} catch (PayLock\Exception $e) {
	echo get_class($e), "\n";
}
?>
--EXPECTF--
listed: true
holder pid: true
holder host: true
fence: true
lease left in (0, 300]: yes
age >= 0: yes
queue length: true
not degraded: true
alone: queue 0: true
prefix filters: true
queue positions: true
waiters alive: yes
token prefixes: yes
released holder: true
old holder isAcquired(): true
old holder release(): true
counted: true
all waiters got it: true
first waiter first: true
it was handed over (a grant, not a retry): true
FIFO after: true
handed over within 1 s: yes
force a free name: true
listing after: true
PayLock\Admin::locks(): Argument #3 ($count) must be between 1 and 1000
PayLock\Admin::queue(): Argument #1 ($name) cannot be empty
PayLock\StoreException
