--TEST--
Cluster: a MultiLock across slots on all three masters is all or none (holder() of every name), fences, refreshes, checks and releases every group, and never holds a name while it waits for another
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif_cluster.inc'; ?>
--CONFLICTS--
cluster
--FILE--
<?php
require __DIR__ . '/../_support/cluster.inc';
$per = cluster_names_per_master(1, 'sku');
$names = array_merge(...array_values($per));
// the name in the highest slot is taken last: an acquire that finds it busy has taken the others first
usort($names, fn($a, $b) => cluster_keyslot("paylock:{{$a}}") <=> cluster_keyslot("paylock:{{$b}}"));
$last = $names[2];
$store = cluster_store();
$holders = fn() => array_map(fn($n) => PayLock\holder($store, $n)['pid'] ?? null, $names);

$m = new PayLock\MultiLock($store, $names, 10);
echo "acquire: ", same($m->acquire(), true), "\n";
echo "every name held by us: ", same($holders(), [getmypid(), getmypid(), getmypid()]), "\n";
$f = $m->fencingTokens();
echo "fencing tokens: ", same(count(array_filter($f, fn($t) => is_int($t) && $t > 0)), 3), "\n";
$m->refresh(20);
echo "isAcquired: ", same($m->isAcquired(), true), "\n";
echo "ttl after refresh: ", yes(PayLock\holder($store, $last)['ttl'] > 10, json_encode(PayLock\holder($store, $last))), "\n";
// another process cannot take any part of it, and takes nothing when it fails
$r = fork_workers(1, function () use ($names) {
	$m2 = new PayLock\MultiLock(cluster_store(), $names, 10);
	return [$m2->acquire(0), $m2->acquire(0.3)];
});
echo "a second cart: ", same($r[0], [false, false]), "\n";
echo "release: ", same($m->release(), true), ", nothing held: ", same($holders(), [null, null, null]), "\n";
$m = new PayLock\MultiLock($store, $names, 10);
echo "fences grow per name: ", same($m->acquire() && array_map(fn($n) => $m->fencingTokens()[$n] > $f[$n], $names) === [true, true, true], true), "\n";
$m->release();

// all or none: the last name is busy, so a waiter must give back the two it took before it waits
$hold = new PayLock\Lock($store, $last, 10);
$hold->acquireOrFail();
$pair = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$pid = pcntl_fork();
if ($pid > 0) fclose($pair[1]);
if ($pid === 0) {
	$m2 = new PayLock\MultiLock(cluster_store(), $names, 10);
	$got = $m2->acquire(1.5);
	fwrite($pair[1], $got ? 'got' : 'false');
	posix_kill(getmypid(), SIGKILL);
}
// it looks again every heartbeat, taking and giving back the first two for an instant each time
$polls = $held = 0;
$end = microtime(true) + 1.2;
while (microtime(true) < $end) {
	$polls++;
	$held += PayLock\holder($store, $names[0]) !== null || PayLock\holder($store, $names[1]) !== null ? 1 : 0;
	usleep(5000);
}
echo "while it waits, the names it could take are free: ", yes($held * 4 < $polls, "held at $held of $polls looks"), "\n";
echo "it gives up at its deadline: ", same(stream_get_contents($pair[0]), 'false'), "\n";
pcntl_waitpid($pid, $st);
echo "after it gave up, none of its names is held: ", same($holders(), [null, null, getmypid()]), "\n";
// handed the last name on release, it takes the whole set
$pair = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$pid = pcntl_fork();
if ($pid > 0) fclose($pair[1]);
if ($pid === 0) {
	$m2 = new PayLock\MultiLock(cluster_store(), $names, 10);
	$got = $m2->acquire(10);
	fwrite($pair[1], $got ? json_encode(array_map(fn($n) => PayLock\holder(cluster_store(), $n)['pid'] ?? null, $names)) === json_encode([getmypid(), getmypid(), getmypid()]) ? 'all' : 'some' : 'false');
	$m2->release();
	posix_kill(getmypid(), SIGKILL);
}
usleep(300000);
$hold->release();
echo "a waiter handed the busy name takes the whole set: ", same(stream_get_contents($pair[0]), 'all'), "\n";
pcntl_waitpid($pid, $st);
echo "released: ", same($holders(), [null, null, null]), "\n";
?>
--EXPECT--
acquire: true
every name held by us: true
fencing tokens: true
isAcquired: true
ttl after refresh: yes
a second cart: true
release: true, nothing held: true
fences grow per name: true
while it waits, the names it could take are free: yes
it gives up at its deadline: true
after it gave up, none of its names is held: true
a waiter handed the busy name takes the whole set: true
released: true
