--TEST--
Cluster: replicas => 'auto' counts the replicas of the master that serves the name, not one master's for all: with one master given 2 replicas and another left with none, a name on each waits for its own master's count (2 and 0), and a stalled replica shows as "k of n" with that master's n
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
echo "cluster ok: ", yes(cluster_wait_ok(), 'not ok'), "\n";
$masters = cluster_master_ports();
$m0 = cluster_port_of_slot(0);                 // the master whose facts a per-client cache would use
$others = array_values(array_diff($masters, [$m0]));
[$m1, $m2] = $others;                          // m1 gives its replica to m0; m2 keeps its own
$id = fn(int $port) => (string)redis_raw(['CLUSTER', 'MYID'], $port);
$connected = fn(int $port) => count((array)(redis_raw(['ROLE'], $port)[2] ?? []));
$wait = function (callable $ok): bool {
	for ($end = microtime(true) + 30; microtime(true) < $end; usleep(100000)) if ($ok()) return true;
	return false;
};
// A failover test before this one may have left a restarted node still joining as a replica.
$wait(fn() => cluster_replica_of($m0) && cluster_replica_of($m1) && cluster_replica_of($m2) &&
	$connected($m0) === 1 && $connected($m1) === 1 && $connected($m2) === 1);
$r1 = cluster_replica_of($m1);
$r0 = cluster_replica_of($m0);
$r2 = cluster_replica_of($m2);
echo "replicas found: ", yes($r0 && $r1 && $r2, json_encode([$r0, $r1, $r2])), "\n";
redis_raw(['CLUSTER', 'REPLICATE', $id($m0)], $r1);
echo "m0 has 2 replicas, m1 none: ", yes($wait(fn() => $connected($m0) === 2 && $connected($m1) === 0 && cluster_wait_ok(1)), json_encode([$connected($m0), $connected($m1)])), "\n";

/** A name whose lock key the master on $port serves. */
function name_on(int $port): string
{
	for ($i = 0; ; $i++) {
		$n = uniq('ra') . ":$i";
		if (cluster_port_of_slot(cluster_keyslot("paylock:{{$n}}")) === $port) return $n;
	}
}
$pid = function (int $port): int {
	preg_match('/^process_id:(\d+)/m', (string)redis_raw(['INFO', 'server'], $port), $m);
	return (int)$m[1];
};
$store = cluster_store(['replicas' => 'auto', 'replica_timeout' => 0.3, 'read_timeout' => 2]);
/** acquire + release on a fresh name of $port: "ok" or the ReplicationException's "k of n". */
$try = function (int $port) use ($store): string {
	$l = new PayLock\Lock($store, name_on($port), 10);
	try {
		$got = $l->acquire();
		$l->release();
		return $got ? 'ok' : 'busy';
	} catch (PayLock\ReplicationException $e) {
		return preg_match('/acknowledged by (\d+ of \d+) replica/', $e->getMessage(), $m) ? $m[1] : $e->getMessage();
	}
};
echo "a name on m0 (2 replicas): ", same($try($m0), 'ok'), "\n";
echo "a name on m1 (no replica): ", same($try($m1), 'ok'), "\n";
echo "a name on m2 (1 replica): ", same($try($m2), 'ok'), "\n";
// A stalled replica (SIGSTOP, well inside cluster-node-timeout): its master's own count is the n.
$p = $pid($r2);
posix_kill($p, SIGSTOP);
$on2 = $try($m2);
posix_kill($p, SIGCONT);
echo "m2's replica stalled: ", same($on2, '0 of 1'), "\n";
$p = $pid($r0);
posix_kill($p, SIGSTOP);
$on0 = $try($m0);
posix_kill($p, SIGCONT);
echo "one of m0's replicas stalled: ", same($on0, '1 of 2'), "\n";

// Put the replica back where it was.
redis_raw(['CLUSTER', 'REPLICATE', $id($m1)], $r1);
echo "restored: ", yes($wait(fn() => $connected($m0) === 1 && $connected($m1) === 1 && cluster_wait_ok(1)), json_encode([$connected($m0), $connected($m1)])), "\n";
?>
--EXPECT--
cluster ok: yes
replicas found: yes
m0 has 2 replicas, m1 none: yes
a name on m0 (2 replicas): true
a name on m1 (no replica): true
a name on m2 (1 replica): true
m2's replica stalled: true
one of m0's replicas stalled: true
restored: yes
