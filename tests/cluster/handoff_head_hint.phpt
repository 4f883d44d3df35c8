--TEST--
Cluster: a hand-off through the router keeps the head hint the wake-up carries (the next waiter's list), so a chain of hand-offs costs the same script calls as through a plain redis:// client to the same master, not one extra call per release
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
$port = cluster_master_ports()[0];
/** A fresh name whose lock key the master on $port serves. */
function name_on(int $port): string
{
	for ($i = 0; ; $i++) {
		$n = uniq('hh') . ":$i";
		if (cluster_port_of_slot(cluster_keyslot("paylock:{{$n}}")) === $port) return $n;
	}
}
/** Script calls on $port while $n queued waiters take the lock one after the other from this holder. */
function chain(string $dsn, int $port, int $n): int
{
	$name = name_on($port);
	$store = new PayLock\RedisStore($dsn, ['read_timeout' => 3]);
	$held = new PayLock\Lock($store, $name, 30);
	$held->acquire();
	$pids = [];
	for ($i = 0; $i < $n; $i++) {
		$pid = pcntl_fork();
		if ($pid === 0) {
			$l = new PayLock\Lock(new PayLock\RedisStore($dsn, ['read_timeout' => 3]), $name, 30);
			$ok = $l->acquire(20);
			usleep(2000);
			$l->release();
			posix_kill(getmypid(), $ok ? SIGKILL : SIGTERM);
		}
		$pids[] = $pid;
		// queue them in a known order, each behind the previous one
		for ($t = 0; $t < 200 && (int)redis_raw(['LLEN', "paylock:{{$name}}:q"], $port) < $i + 1; $t++) usleep(10000);
	}
	$calls = fn() => preg_match_all('/^cmdstat_(evalsha|eval):calls=(\d+)/m', (string)redis_raw(['INFO', 'commandstats'], $port), $m) ? array_sum($m[2]) : 0;
	$before = $calls();
	$held->release();
	$got = 0;
	foreach ($pids as $pid) {
		pcntl_waitpid($pid, $st);
		$got += pcntl_wifsignaled($st) && pcntl_wtermsig($st) === SIGKILL ? 1 : 0;
	}
	if ($got !== $n) echo "only $got of $n waiters got the lock\n";
	return $calls() - $before;
}
$n = 8;
$plain = chain("redis://127.0.0.1:$port", $port, $n);
$routed = chain(cluster_dsn(), $port, $n);
echo "script calls for $n hand-offs, routed vs plain: ", yes($routed <= $plain + 2, "routed $routed, plain $plain"), "\n";
?>
--EXPECT--
script calls for 8 hand-offs, routed vs plain: yes
