<?php
/**
 * PayLock benchmark: contended utilisation on a Redis Cluster, name on a master that is not the first
 * seed ("remote"), as a ratio to the same run on a standalone redis-server in the same session (A/B
 * alternated, the order swapped every round, medians). The run is contention.php's paylock-redis worker in
 * small: P processes start together and each does C cycles of acquire(wait); read a counter file, sleep
 * the hold, write counter+1; release; think 0..think-us. Utilisation = time inside critical sections / wall
 * (first acquire call to last release); lost updates = cycles - final counter (must be 0).
 *
 *   php -n -d extension=modules/paylock.so bench/cluster_contended.php SEEDS STANDALONE_PORT [procs] [cycles] [rounds]
 * Started by bench/cluster.sh after cluster.php (procs 8, cycles 40, rounds 5 unless given).
 */
declare(strict_types=1);

[$seeds, $port] = [$argv[1], (int)$argv[2]];
$procs = (int)($argv[3] ?? 8);
$cycles = (int)($argv[4] ?? 40);
$rounds = (int)($argv[5] ?? 5);
const HOLD_US = 1000;
const THINK_US = 2000;

require_once __DIR__ . '/common.php';

/** A name whose slot's master is not the first seed, and that master's port. */
function remote_name(int $first): array
{
	for ($i = 0; ; $i++) {
		$name = "bench:contended:$i";
		$slot = resp_once($first, 'CLUSTER', 'KEYSLOT', "paylock:{{$name}}");
		foreach (explode("\n", trim((string)resp_once($first, 'CLUSTER', 'NODES'))) as $line) {
			$f = explode(' ', $line);
			if (!str_contains($f[2], 'master')) continue;
			foreach (array_slice($f, 8) as $range) {
				[$a, $b] = array_map('intval', explode('-', $range) + [1 => $range]);
				$owner = (int)explode('@', explode(':', $f[1])[1])[0];
				if ($slot >= $a && $slot <= $b && $owner !== $first) return [$name, $owner];
			}
		}
	}
}

/** One contended run: [utilisation, lost updates, p99 wait ms]. */
function run(string $dsn, string $name, int $procs, int $cycles): array
{
	$file = tempnam(sys_get_temp_dir(), 'plc');
	file_put_contents($file, '0');
	[$go, $wait] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
	$kids = [];
	for ($p = 0; $p < $procs; $p++) {
		$pair = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
		$pid = pcntl_fork();
		if ($pid === 0) {
			fclose($go);
			$lock = new PayLock\Lock(new PayLock\RedisStore($dsn), $name, 30);
			fread($wait, 1); // every process starts when the parent closes its end
			$inside = 0;
			$waits = [];
			$start = hrtime(true);
			for ($c = 0; $c < $cycles; $c++) {
				$t = hrtime(true);
				$lock->acquire(60);
				$in = hrtime(true);
				$waits[] = $in - $t;
				$v = (int)file_get_contents($file);
				usleep(HOLD_US);
				file_put_contents($file, (string)($v + 1));
				$inside += hrtime(true) - $in;
				$lock->release();
				$end = hrtime(true);
				usleep(random_int(0, THINK_US));
			}
			fwrite($pair[1], serialize([$start, $end, $inside, $waits]));
			posix_kill(getmypid(), SIGKILL);
		}
		fclose($pair[1]);
		$kids[$pid] = $pair[0];
	}
	fclose($wait);
	usleep(200000); // every child connected and waiting
	fclose($go);
	$first = PHP_INT_MAX;
	$last = 0;
	$inside = 0;
	$waits = [];
	foreach ($kids as $pid => $s) {
		[$a, $b, $in, $w] = unserialize(stream_get_contents($s));
		fclose($s);
		pcntl_waitpid($pid, $st);
		$first = min($first, $a);
		$last = max($last, $b);
		$inside += $in;
		array_push($waits, ...$w);
	}
	sort($waits);
	$lost = $procs * $cycles - (int)file_get_contents($file);
	unlink($file);
	return [$inside / ($last - $first), $lost, $waits[(int)(0.99 * (count($waits) - 1))] / 1e6];
}

$first = (int)explode(':', explode(',', $seeds)[0])[1];
[$name, $owner] = remote_name($first);
$variants = ['cluster' => "redis+cluster://$seeds", 'standalone' => "redis://127.0.0.1:$port"];
foreach ($variants as $dsn) run($dsn, $name, 2, 5); // warm: scripts loaded, map fetched
$got = [];
for ($r = 0; $r < $rounds; $r++) {
	$order = $r % 2 ? array_reverse(array_keys($variants)) : array_keys($variants);
	foreach ($order as $k) $got[$k][] = run($variants[$k], $name, $procs, $cycles);
}
$med = [];
foreach ($got as $k => $runs) {
	$u = array_column($runs, 0);
	$p = array_column($runs, 2);
	sort($u);
	sort($p);
	$med[$k] = [$u[intdiv(count($u), 2)], array_sum(array_column($runs, 1)), $p[intdiv(count($p), 2)]];
}
printf("contended utilisation, %d processes x %d cycles, hold %d us, think 0-%d us, name on a remote master (:%d), median of %d A/B rounds:\n",
	$procs, $cycles, HOLD_US, THINK_US, $owner, $rounds);
foreach ($med as $k => [$u, $lost, $p99]) printf("  %-10s utilisation %.3f, p99 wait %.1f ms, lost updates %d\n", $k, $u, $p99, $lost);
printf("  ratio cluster/standalone %.2f\n", $med['cluster'][0] / $med['standalone'][0]);
