--TEST--
Cluster: live resharding (the MIGRATING/IMPORTING, MIGRATE ... KEYS in batches of 10, SETSLOT NODE sequence redis-cli --cluster reshard runs) of slots that hold PayLock locks and idempotency records, there and back, while forked workers run a contention storm (lock + read-modify-write of a file counter, and IdempotencyGuard::run()): no lost update, every worker gets every lock within its deadline, every step runs exactly once, no error; the slots end where they started
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
[$src, $dst] = cluster_master_ports();
$base = uniq('rs');
/** $n names (with $prefix before the hash tag) whose key lives on the master $port: [name => slot]. */
function names_on(int $port, int $n, string $base, string $keyPrefix): array
{
	$out = [];
	for ($i = 0; count($out) < $n && $i < 5000; $i++) {
		$slot = cluster_keyslot("$keyPrefix{{$base}:$i}");
		if (cluster_port_of_slot($slot) === $port && !in_array($slot, $out, true)) $out["$base:$i"] = $slot;
	}
	return $out;
}
$locks = names_on($src, 3, "$base-l", 'paylock:');
$steps = names_on($src, 4, "$base-s", 'paylock:idem:');
$slots = array_values(array_unique(array_merge(array_values($locks), array_values($steps))));
echo "slots on one master: ", same(count($slots), 7), "\n";
$dir = lock_dir();
mkdir($dir);
foreach (array_keys($locks) as $n) file_put_contents("$dir/" . md5($n), '0');

// The TLS port of a node, for MIGRATE when the cluster bus speaks TLS (MIGRATE then connects with TLS).
$migratePort = function (int $port): int {
	if ((redis_raw(['CONFIG', 'GET', 'tls-cluster'], $port)[1] ?? 'no') !== 'yes') return $port;
	$plain = explode(',', (string)getenv('PAYLOCK_TEST_REDIS_CLUSTER'));
	$tls = explode(',', (string)getenv('PAYLOCK_TEST_REDIS_CLUSTER_TLS'));
	return (int)explode(':', $tls[array_search("127.0.0.1:$port", $plain, true)])[1];
};
/** Moves $slot from $from to $to as redis-cli --cluster reshard does, one key at a time with a pause. */
function move_slot(int $slot, int $from, int $to, int $toMigrate): void
{
	$fromId = (string)redis_raw(['CLUSTER', 'MYID'], $from);
	$toId = (string)redis_raw(['CLUSTER', 'MYID'], $to);
	redis_raw(['CLUSTER', 'SETSLOT', $slot, 'IMPORTING', $fromId], $to);
	redis_raw(['CLUSTER', 'SETSLOT', $slot, 'MIGRATING', $toId], $from);
	for ($round = 0; $round < 200; $round++) {
		$keys = redis_raw(['CLUSTER', 'GETKEYSINSLOT', $slot, 10], $from);
		if (!$keys) break;
		// as redis-cli --cluster reshard: MIGRATE ... KEYS in batches of 10 (--cluster-pipeline)
		$r = redis_raw(array_merge(['MIGRATE', '127.0.0.1', $toMigrate, '', 0, 5000, 'KEYS'], $keys), $from);
		if ($r instanceof RuntimeException && !str_contains($r->getMessage(), 'NOKEY')) throw $r;
		usleep(5000); // a slot half-moved for a while: ASK and TRYAGAIN while the storm runs
	}
	foreach ([$to, $from] as $p) redis_raw(['CLUSTER', 'SETSLOT', $slot, 'NODE', $toId], $p);
	foreach (cluster_master_ports() as $p) redis_raw(['CLUSTER', 'SETSLOT', $slot, 'NODE', $toId], $p);
}

$seconds = 5.0;
$until = microtime(true) + $seconds;
$mover = pcntl_fork();
if ($mover === 0) {
	$code = 0;
	try {
		usleep(500000);
		foreach ($slots as $s) move_slot($s, $src, $dst, $migratePort($dst));
		usleep(500000);
		foreach ($slots as $s) move_slot($s, $dst, $src, $migratePort($src));
	} catch (Throwable $e) {
		fwrite(STDERR, "mover: " . $e->getMessage() . "\n");
		$code = 1;
	}
	posix_kill(getmypid(), $code ? SIGKILL : SIGTERM);
}

$results = fork_workers(6, function (int $w) use ($locks, $steps, $dir, $until) {
	$store = cluster_store(['read_timeout' => 2]);
	$g = new PayLock\IdempotencyGuard($store);
	$done = array_fill_keys(array_keys($locks), 0);
	$errors = [];
	$replies = [];
	$late = 0;
	$names = array_keys($locks);
	$stepNames = array_keys($steps);
	for ($i = 0; microtime(true) < $until || $i < 20; $i++) {
		$n = $names[($i + $w) % count($names)];
		try {
			$l = new PayLock\Lock($store, $n, 10);
			if (!$l->acquire(8)) { $late++; continue; }
			$f = "$dir/" . md5($n);
			$v = (int)file_get_contents($f);
			usleep(500);
			file_put_contents($f, (string)($v + 1));
			$done[$n]++;
			$l->release();
			$k = $stepNames[$i % count($stepNames)];
			$replies[$k][] = $g->run($k, function () use ($dir, $k, $w) {
				file_put_contents("$dir/steps", "$k\n", FILE_APPEND | LOCK_EX);
				return "paid by $w";
			}, null, 8.0); // a concurrent delivery of the same key is waited for, then replayed
		} catch (Throwable $e) {
			$errors[] = sprintf('%.2f s before the end: ', $until - microtime(true)) . get_class($e) . ': ' . $e->getMessage();
		}
	}
	return ['done' => $done, 'errors' => $errors, 'late' => $late, 'replies' => array_map('array_unique', $replies)];
});
pcntl_waitpid($mover, $st);
echo "mover finished: ", yes(pcntl_wifsignaled($st) && pcntl_wtermsig($st) === SIGTERM, 'it failed (see stderr)'), "\n";

$errors = $late = [];
$sum = array_fill_keys(array_keys($locks), 0);
$seen = [];
foreach ($results as $w => $r) {
	if (!is_array($r)) { $errors[] = "worker $w: $r"; continue; }
	foreach ($r['done'] as $n => $c) $sum[$n] += $c;
	$errors = array_merge($errors, $r['errors']);
	if ($r['late']) $late[] = "worker $w: {$r['late']} acquires timed out";
	foreach ($r['replies'] as $k => $vals) $seen[$k] = array_unique(array_merge($seen[$k] ?? [], $vals));
}
$counters = [];
foreach (array_keys($locks) as $n) $counters[$n] = (int)file_get_contents("$dir/" . md5($n));
echo "no error: ", same(array_slice(array_unique($errors), 0, 5), []), "\n";
echo "no lost hand-off (every acquire within its deadline): ", same($late, []), "\n";
echo "no lost update: ", same($counters, $sum), " (", yes(array_sum($sum) >= 60, array_sum($sum) . ' increments'), ")\n";
$ran = array_count_values(array_filter(explode("\n", (string)@file_get_contents("$dir/steps"))));
ksort($ran);
echo "every step ran exactly once: ", same(array_values($ran), array_fill(0, count($ran), 1)), " ", same(count($ran), count($steps)), "\n";
echo "every replay gave the one result: ", same(array_filter($seen, fn($v) => count($v) !== 1), []), "\n";
$back = array_map(fn($s) => cluster_port_of_slot($s), $slots);
echo "slots back where they started: ", same(array_unique($back), [$src]), "\n";
$stable = true;
foreach (cluster_master_ports() as $p) {
	foreach (explode("\n", (string)redis_raw(['CLUSTER', 'NODES'], $p)) as $line) {
		if (str_contains($line, '->-') || str_contains($line, '-<-')) $stable = false; // a slot still migrating/importing
	}
}
echo "no slot left migrating: ", truth($stable, 'a slot is still migrating'), "\n";
echo "cluster ok: ", yes(cluster_wait_ok(), 'not ok'), "\n";
$s = cluster_store();
$l = new PayLock\Lock($s, array_key_first($locks), 5);
echo "the map healed: ", same($l->acquire(), true), " ", same($l->release(), true), "\n";
?>
--EXPECT--
cluster ok: yes
slots on one master: true
mover finished: yes
no error: true
no lost hand-off (every acquire within its deadline): true
no lost update: true (yes)
every step ran exactly once: true true
every replay gave the one result: true
slots back where they started: true
no slot left migrating: true
cluster ok: yes
the map healed: true true
