--TEST--
Cluster: CLUSTER FAILOVER while a lock is held and waiters are blocked: the holder releases on the new master, every waiter gets the lock, nobody sees MOVED
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
require __DIR__ . '/../_support/admin.inc';
cluster_use_private(); // it changes the topology: never the shared cluster
echo "cluster ok: ", yes(cluster_wait_ok(), 'not ok'), "\n";
$per = cluster_names_per_master(1, 'fo');
$portA = array_key_first($per);
$name = $per[$portA][0];
$replica = cluster_replica_of($portA);
echo "replica found: ", yes($replica > 0, 'none'), "\n";
$file = tally_file();
file_put_contents($file, '0');
$store = cluster_store();
$lock = new PayLock\Lock($store, $name, 30);
echo "held: ", same($lock->acquire(), true), "\n";
$w = cluster_waiters(3, $name, 15, $file, cluster_dsn());
// the failover comes once all three are queued on the old master (each then blocks in BLPOP there)
$admin = new PayLock\Admin($store);
echo "queued: ", yes(wait_until(fn() => count($admin->queue($name)) === 3, 30.0), json_encode($admin->queue($name))), "\n";
echo "failover: ", yes(cluster_failover_to($replica), 'replica did not take over'), "\n";
echo "still ours on the new master: ", same($lock->isAcquired(), true), "\n";
echo "release: ", same($lock->release(), true), "\n";
$got = cluster_waiters_done($w);
$bad = array_filter($got, fn($r) => $r !== 'got' && !str_starts_with($r, 'PayLock\ConnectionException'));
echo "waiters: ", yes($bad === [], implode(' | ', $got)), ", with the lock: ", count(array_keys($got, 'got')), "\n";
echo "no MOVED anywhere: ", yes(!preg_grep('/MOVED/', $got), implode(' | ', $got)), "\n";
echo "no lost update: ", same((int)file_get_contents($file), count(array_keys($got, 'got'))), "\n";
// and back again: a second failover, to the old master
echo "failback: ", yes(cluster_failover_to($portA), 'old master did not come back'), "\n";
$l = new PayLock\Lock(cluster_store(), $name, 5);
echo "after failback: ", same($l->acquire(), true), " ", same($l->release(), true), "\n";
?>
--EXPECT--
cluster ok: yes
replica found: yes
held: true
queued: yes
failover: yes
still ours on the new master: true
release: true
waiters: yes, with the lock: 3
no MOVED anywhere: yes
no lost update: true
failback: yes
after failback: true true
