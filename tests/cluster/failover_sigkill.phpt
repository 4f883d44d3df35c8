--TEST--
Cluster: SIGKILL of a master while a lock is held and waiters are blocked: after the replica takes over every waiter gets the lock or a ConnectionException within its deadline, never MOVED; no lost update
--EXTENSIONS--
paylock
pcntl
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
$per = cluster_names_per_master(1, 'kill');
$portA = array_key_last($per);
$name = $per[$portA][0];
for ($until = microtime(true) + 20; !($replica = cluster_replica_of($portA)) && microtime(true) < $until;) usleep(100000);
$args = redis_restart_args($portA);
$file = tally_file();
file_put_contents($file, '0');
$store = cluster_store();
$lock = new PayLock\Lock($store, $name, 30);
echo "held: ", same($lock->acquire(), true), "\n";
usleep(200000); // replicated
$wait = 20;
$t0 = microtime(true);
$w = cluster_waiters(3, $name, $wait, $file, cluster_dsn());
usleep(500000);
redis_sigkill($portA);
$end = microtime(true) + 20;
while (microtime(true) < $end && redis_role($replica) !== 'master') usleep(50000);
echo "replica promoted: ", same(redis_role($replica), 'master'), "\n";
// the holder's release follows the slot to the new master (retrying while the cluster is down)
$released = null;
while ($released === null && microtime(true) < $end) {
	try {
		$released = $lock->release();
	} catch (PayLock\ConnectionException $e) {
		usleep(100000);
	}
}
echo "release on the new master: ", same($released, true), "\n";
$got = cluster_waiters_done($w);
$elapsed = microtime(true) - $t0;
$bad = array_filter($got, fn($r) => $r !== 'got' && !str_starts_with($r, 'PayLock\ConnectionException'));
echo "waiters: ", yes($bad === [], implode(' | ', $got)), ", with the lock: ", yes(count(array_keys($got, 'got')) >= 1, implode(' | ', $got)), "\n";
echo "within the deadline: ", yes($elapsed < $wait + 5, sprintf('%.1f s', $elapsed)), "\n";
echo "no MOVED anywhere: ", yes(!preg_grep('/MOVED/', $got), implode(' | ', $got)), "\n";
echo "no lost update: ", same((int)file_get_contents($file), count(array_keys($got, 'got'))), "\n";
// the killed master, started again, rejoins as a replica of the one that took its place
redis_restart($args);
for ($until = microtime(true) + 30; redis_role($portA) !== 'slave' && microtime(true) < $until;) usleep(100000);
echo "old master rejoins as a replica: ", same(redis_role($portA), 'slave'), " ", yes(cluster_wait_ok(), 'not ok'), "\n";
$l = new PayLock\Lock(cluster_store(), $name, 5);
echo "after the rejoin: ", same($l->acquire(), true), " ", same($l->release(), true), "\n";
?>
--EXPECT--
cluster ok: yes
held: true
replica promoted: true
release on the new master: true
waiters: yes, with the lock: yes
within the deadline: yes
no MOVED anywhere: yes
no lost update: true
old master rejoins as a replica: true yes
after the rejoin: true true
