--TEST--
Cluster: a cross-slot MultiLock whose last group's node stalls (CLIENT PAUSE) fails with ConnectionException and leaves none of its names held: the groups it took are undone at once, the stalled one when the node wakes
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
$names = array_merge(...array_values(cluster_names_per_master(1, 'stall')));
usort($names, fn($a, $b) => cluster_keyslot("paylock:{{$a}}") <=> cluster_keyslot("paylock:{{$b}}"));
$last = cluster_port_of_slot(cluster_keyslot("paylock:{{$names[count($names) - 1]}}"));
$opts = ['connect_timeout' => 0.3, 'read_timeout' => 0.3];
$store = cluster_store($opts);
$look = cluster_store();
$held = fn() => array_map(fn($n) => PayLock\holder($look, $n) === null ? 'free' : 'held', $names);
echo "warm: ", same((new PayLock\MultiLock($store, $names, 10))->acquire() , true), "\n"; // slot map, connections
(new PayLock\MultiLock($store, $names, 10))->release();
$m = new PayLock\MultiLock($store, $names, 10);
$m->release(); // nothing held: a no-op
redis_raw(['CLIENT', 'PAUSE', '1500', 'ALL'], $last);
$t = microtime(true);
try {
	$m->acquire(0);
	echo "acquire: no exception\n";
} catch (PayLock\ConnectionException $e) {
	echo "acquire: ConnectionException\n";
}
echo "the two groups it took are given back at once: ", same(array_slice($held(), 0, 2), ['free', 'free']), "\n";
usleep((int)max(0, (1.8 - (microtime(true) - $t)) * 1e6)); // the node wakes and runs what was sent to it
$store->ping(); // any operation on that store undoes what is still to undo
echo "after the node woke, none of its names is held: ", same($held(), array_fill(0, count($names), 'free')), "\n";
$m2 = new PayLock\MultiLock(cluster_store(), $names, 10);
echo "another cart takes them all: ", same($m2->acquire(1), true), "\n";
$m2->release();
?>
--EXPECT--
warm: true
acquire: ConnectionException
the two groups it took are given back at once: true
after the node woke, none of its names is held: true
another cart takes them all: true
