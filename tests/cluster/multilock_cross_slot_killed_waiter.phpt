--TEST--
Cluster: a cross-slot MultiLock waiter SIGKILLed while queued does not stall the others beyond the MultiLock dead-waiter bound, and leaves nothing held
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
require __DIR__ . '/../_support/admin.inc';
$per = cluster_names_per_master(1, 'dead');
$names = array_merge(...array_values($per));
usort($names, fn($a, $b) => cluster_keyslot("paylock:{{$a}}") <=> cluster_keyslot("paylock:{{$b}}"));
$busy = $names[1]; // the middle slot: a waiter takes the first group, gives it back and queues here
$store = cluster_store();
$hold = new PayLock\Lock($store, $busy, 10);
$hold->acquireOrFail();

function waiter(array $names, float $wait)
{
	$pair = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
	$pid = pcntl_fork();
	if ($pid === 0) {
		fclose($pair[0]);
		$m = new PayLock\MultiLock(cluster_store(), $names, 10);
		$got = $m->acquire($wait);
		fwrite($pair[1], $got ? sprintf('%.3f', microtime(true)) : 'false');
		fclose($pair[1]);
		if ($got) $m->release();
		posix_kill(getmypid(), SIGKILL);
	}
	fclose($pair[1]);
	return [$pid, $pair[0]];
}
// the dead waiter is queued first at $busy, the live one behind it
$admin = new PayLock\Admin($store);
$queued = fn(int $n) => wait_until(fn() => count($admin->queue($busy)) === $n, 30.0);
[$dead, $s1] = waiter($names, 30);
echo "the first waiter queued: ", yes($queued(1), json_encode($admin->queue($busy))), "\n";
[$live, $s2] = waiter($names, 20);
echo "the second behind it: ", yes($queued(2), json_encode($admin->queue($busy))), "\n";
posix_kill($dead, SIGKILL);
pcntl_waitpid($dead, $st);
fclose($s1);
$released = microtime(true);
$hold->release();
$got = stream_get_contents($s2);
pcntl_waitpid($live, $st);
$after = $got === 'false' ? -1 : (float)$got - $released;
// README: a killed MultiLock waiter costs the queue at most about 0.45 s (its heartbeat ages out within
// a second when it dies queued); generous here for a loaded machine
echo "the live waiter gets the whole cart soon after the release: ", yes($after >= 0 && $after < 3.0, sprintf('%.3f s', $after)), "\n";
echo "nothing left held: ", same(array_filter(array_map(fn($n) => PayLock\holder($store, $n), $names)), []), "\n";
?>
--EXPECT--
the first waiter queued: yes
the second behind it: yes
the live waiter gets the whole cart soon after the release: yes
nothing left held: true
