--TEST--
Cluster: a slot being migrated (MIGRATING/IMPORTING): ASK is followed with ASKING without touching the slot map; after the move MOVED heals the map
--EXTENSIONS--
paylock
--INI--
pcre.jit=0
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif_cluster.inc'; ?>
--CONFLICTS--
cluster
--FILE--
<?php
require __DIR__ . '/../_support/cluster.inc';
do {
	$per = cluster_names_per_master(1, 'ask');
	[$portA, $portB] = array_slice(array_keys($per), 0, 2);
	$name = $per[$portA][0];
	$slot = cluster_keyslot("paylock:{{$name}}");
} while (redis_raw(['CLUSTER', 'COUNTKEYSINSLOT', (string)$slot], $portA) !== 0);
$ids = [];
foreach (cluster_slots() as [, , $port, $id]) $ids[$port] = $id;
function setslot(int $port, array $args): void
{
	$r = redis_raw(array_merge(['CLUSTER', 'SETSLOT'], $args), $port);
	if ($r !== 'OK') throw new RuntimeException("SETSLOT on $port: " . ($r instanceof Throwable ? $r->getMessage() : var_export($r, true)));
}
function assign(int $slot, int $to, array $ids): void
{
	foreach (array_merge([$to], array_diff(array_keys($ids), [$to])) as $p) setslot($p, [(string)$slot, 'NODE', $ids[$to]]);
}

$store = cluster_store(['connect_timeout' => 0.3, 'read_timeout' => 0.3]);
echo "warm: ", same(PayLock\holder($store, $name), null), "\n";
$fetches = router_info('Redis Cluster slot map fetches');
$redirects = router_info('Redis Cluster redirects followed');
setslot($portB, [(string)$slot, 'IMPORTING', $ids[$portA]]);
setslot($portA, [(string)$slot, 'MIGRATING', $ids[$portB]]);
try {
	$lock = new PayLock\Lock($store, $name, 10);
	echo "acquire during the migration (ASK, then ASKING + SET on the importing node): ", same($lock->acquire(), true), "\n";
	echo "the key went to the importing node: ", same(redis_raw(['CLUSTER', 'COUNTKEYSINSLOT', (string)$slot], $portB) >= 1, true),
		" ", same(redis_raw(['CLUSTER', 'COUNTKEYSINSLOT', (string)$slot], $portA), 0), "\n";
	echo "ASK followed: ", yes(router_info('Redis Cluster redirects followed') > $redirects, 'no redirect'),
		", map untouched: ", same(router_info('Redis Cluster slot map fetches') - $fetches, 0), "\n";
	// a script whose keys are split between the nodes gets TRYAGAIN until the migration ends: retried,
	// within connect_timeout + read_timeout, then a ConnectionException
	$t = microtime(true);
	try {
		$lock->fencingToken();
		echo "split keys: no error\n";
	} catch (PayLock\ConnectionException $e) {
		echo "split keys: ConnectionException (", yes(str_contains($e->getMessage(), 'TRYAGAIN'), $e->getMessage()), "), bounded: ",
			yes(microtime(true) - $t < 3, sprintf('%.2f s', microtime(true) - $t)), "\n";
	}
	assign($slot, $portB, $ids); // the migration ends: the slot is B's
	$redirects = router_info('Redis Cluster redirects followed');
	echo "after the move: fencing token ", yes($lock->fencingToken() > 0, 'none'), ", release ", same($lock->release(), true),
		", redirects: ", router_info('Redis Cluster redirects followed') - $redirects, "\n";
} finally {
	// put the slot back: this test's keys (tombstone, fence counter) go first (a slot with keys cannot be reassigned)
	foreach ([$portA, $portB] as $p) @redis_raw(['CLUSTER', 'SETSLOT', (string)$slot, 'STABLE'], $p);
	foreach (redis_raw(['CLUSTER', 'GETKEYSINSLOT', (string)$slot, '100'], $portB) as $k) redis_raw(['DEL', $k], $portB);
	assign($slot, $portA, $ids);
}
echo "restored: ", same(cluster_port_of_slot($slot), $portA), " ", yes(cluster_wait_ok(), 'not ok'), "\n";
?>
--EXPECT--
warm: true
acquire during the migration (ASK, then ASKING + SET on the importing node): true
the key went to the importing node: true true
ASK followed: yes, map untouched: true
split keys: ConnectionException (yes), bounded: yes
after the move: fencing token yes, release true, redirects: 1
restored: true yes
