--TEST--
Cluster: a cross-slot MultiLock waiter whose busy group's node stalls must not keep holding the names of its healthy groups while it retries (README: "it never holds one name while waiting for another"; "each try holds the groups it took for an instant")
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
$names = array_merge(...array_values(cluster_names_per_master(1, 'mlstall')));
usort($names, fn($a, $b) => cluster_keyslot("paylock:{{$a}}") <=> cluster_keyslot("paylock:{{$b}}"));
$last = cluster_port_of_slot(cluster_keyslot("paylock:{{$names[2]}}"));
$look = cluster_store();
$hold = new PayLock\Lock(cluster_store(), $names[2], 30);
$hold->acquireOrFail(); // the waiter queues on the last name
$pid = pcntl_fork();
if ($pid === 0) {
	$m = new PayLock\MultiLock(cluster_store(['connect_timeout' => 0.3, 'read_timeout' => 0.3]), $names, 10);
	try {
		$got = $m->acquire(8);
		if ($got) $m->release();
	} catch (Throwable $e) {
	}
	posix_kill(getmypid(), SIGKILL);
}
usleep(700000);
echo "queued, it holds nothing: ", same(PayLock\holder($look, $names[0]), null), "\n";
redis_raw(['CLIENT', 'PAUSE', '2500', 'ALL'], $last);
usleep(400000);
$held = $n = 0;
$until = microtime(true) + 1.5;
while (microtime(true) < $until) {
	$n++;
	$held += PayLock\holder($look, $names[0]) !== null ? 1 : 0;
	usleep(20000);
}
printf("while the last group's node stalls, the first name (healthy node) is held only for instants: %s\n",
	yes($held / $n < 0.5, sprintf('held in %d of %d samples', $held, $n)));
usleep(1200000); // the pause ends
$hold->release();
pcntl_waitpid($pid, $st);
?>
--EXPECT--
queued, it holds nothing: true
while the last group's node stalls, the first name (healthy node) is held only for instants: yes
