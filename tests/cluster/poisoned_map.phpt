--TEST--
Cluster: a cached slot map made wrong by a slot moving to another master heals within one redirect
--EXTENSIONS--
paylock
posix
--INI--
pcre.jit=0
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif_cluster.inc'; ?>
--CONFLICTS--
cluster
--FILE--
<?php
require __DIR__ . '/../_support/cluster.inc';
cluster_use_private(); // it changes the topology: never the shared cluster
$store = cluster_store();
// a name whose slot holds no keys (a slot with keys cannot simply be reassigned)
do {
	$per = cluster_names_per_master(2, 'moving');
	[$portA, $portB] = array_slice(array_keys($per), 0, 2);
	$name = $per[$portA][0];
	$other = $per[$portB][0];
	$slot = cluster_keyslot("paylock:{{$name}}");
} while (redis_raw(['CLUSTER', 'COUNTKEYSINSLOT', (string)$slot], $portA) !== 0);
$ids = [];
foreach (cluster_slots() as [, , $port, $id]) $ids[$port] = $id;

/**
 * Moves an empty slot to $to (CLUSTER SETSLOT ... NODE on the new owner first, then on every master). The
 * new owner imports it first, so its SETSLOT NODE bumps its config epoch: without that, a replica that
 * still sees the old owner (with a higher epoch, e.g. after a failover test) sends an UPDATE that gives
 * the slot back to it. Then it waits until every node, replicas included, names the new owner (replicas
 * learn a SETSLOT by gossip only, about a second later).
 */
function move_slot(int $slot, int $to, array $ids): void
{
	$from = cluster_port_of_slot($slot);
	$r = redis_raw(['CLUSTER', 'SETSLOT', (string)$slot, 'IMPORTING', $ids[$from]], $to);
	if ($r !== 'OK') throw new RuntimeException("SETSLOT IMPORTING on $to: " . ($r instanceof Throwable ? $r->getMessage() : var_export($r, true)));
	$order = array_merge([$to], array_diff(array_keys($ids), [$to]));
	foreach ($order as $p) {
		$r = redis_raw(['CLUSTER', 'SETSLOT', (string)$slot, 'NODE', $ids[$to]], $p);
		if ($r !== 'OK') throw new RuntimeException("SETSLOT on $p: " . ($r instanceof Throwable ? $r->getMessage() : var_export($r, true)));
	}
	$end = microtime(true) + 20;
	do {
		$behind = [];
		foreach (explode(',', cluster_seeds()) as $hp) {
			$port = (int)explode(':', $hp)[1];
			$owner = null;
			foreach (redis_raw(['CLUSTER', 'SLOTS'], $port) as $e) {
				if ($slot >= $e[0] && $slot <= $e[1]) $owner = $e[2][1];
			}
			if ($owner !== $to) $behind[] = $port;
		}
		if (!$behind) return;
		usleep(20000);
	} while (microtime(true) < $end);
	throw new RuntimeException("slot $slot: nodes " . implode(',', $behind) . " still name another owner than $to");
}

// warm the map (read-only calls leave no keys in the slot, so it can move)
echo "holder before: ", same(PayLock\holder($store, $name), null), " ", same(PayLock\holder($store, $other), null), "\n";
$fetches = router_info('Redis Cluster slot map fetches');
move_slot($slot, $portB, $ids);
echo "moved: ", same(cluster_port_of_slot($slot), $portB), "\n";
echo "holder after the move: ", same(PayLock\holder($store, $name), null), "\n";
echo "redirects: ", router_info('Redis Cluster redirects followed'), ", map fetched again: ", router_info('Redis Cluster slot map fetches') - $fetches, "\n";
// healed: more calls on the moved slot and on others need no redirect
PayLock\holder($store, $name);
PayLock\holder($store, $other);
echo "redirects after healing: ", router_info('Redis Cluster redirects followed'), "\n";
// a new store object in this process uses the healed per-process cache
$s2 = cluster_store();
PayLock\holder($s2, $name);
echo "new store, redirects: ", router_info('Redis Cluster redirects followed'), "\n";
move_slot($slot, $portA, $ids);
echo "restored: ", same(cluster_port_of_slot($slot), $portA), " ", yes(cluster_wait_ok(), 'cluster not ok'), "\n";
$l = new PayLock\Lock($store, $name, 5);
echo "lock after moving back: ", same($l->acquire(), true), " ", same($l->release(), true), " redirects: ", router_info('Redis Cluster redirects followed'), "\n";
?>
--EXPECT--
holder before: true true
moved: true
holder after the move: true
redirects: 1, map fetched again: 1
redirects after healing: 1
new store, redirects: 1
restored: true yes
lock after moving back: true true redirects: 2
