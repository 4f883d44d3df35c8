<?php
/**
 * Replica acknowledgement cost: the same cycles with replicas => 0, 1 and 'auto' against a primary with one
 * local replica, interleaved (the order rotates every round), median of the rounds, ratio to replicas => 0.
 *
 * Cycles: lock = Lock::acquire() + fencingToken() + release() (two acknowledged writes: acquire, fence);
 *         idem = IdempotencyGuard::run() on a new key (two acknowledged writes: claim, complete).
 *
 *   php -n -d extension=paylock.so bench/replicas.php --port=PRIMARY [--iterations=5000] [--rounds=5]
 *       [--json=bench/results/replicas.json]
 */

declare(strict_types=1);

$o = getopt('', ['port:', 'iterations:', 'rounds:', 'json:']);
$port = (int)($o['port'] ?? 0) or exit("bench/replicas.php: --port=PRIMARY is required\n");
$n = (int)($o['iterations'] ?? 5000);
$rounds = (int)($o['rounds'] ?? 5);
$dsn = "redis://127.0.0.1:$port";

$variants = ['replicas=0' => 0, 'replicas=1' => 1, "replicas='auto'" => 'auto'];
$stores = [];
foreach ($variants as $label => $r) {
	$stores[$label] = new PayLock\RedisStore($dsn, ['replicas' => $r, 'prefix' => 'bench:' . $r . ':']);
}
$cycles = [
	'lock' => function (PayLock\RedisStore $s, int $i): void {
		$l = new PayLock\Lock($s, 'bench-lock');
		$l->acquire() or throw new RuntimeException('not acquired');
		$l->fencingToken();
		$l->release();
	},
	'idem' => function (PayLock\RedisStore $s, int $i): void {
		static $g = [];
		$g[spl_object_id($s)] ??= new PayLock\IdempotencyGuard($s, ['retention' => 60]);
		$g[spl_object_id($s)]->run('k' . $i . ':' . random_int(0, PHP_INT_MAX), fn() => 'ok');
	},
];
$results = [];
foreach ($cycles as $cname => $cycle) {
	$per = [];
	foreach ($stores as $label => $s) { // warm-up: connections, scripts, the replica count
		for ($i = 0; $i < max(200, intdiv($n, 10)); $i++) {
			$cycle($s, $i);
		}
	}
	for ($round = 0; $round < $rounds; $round++) {
		$labels = array_keys($stores);
		for ($k = 0; $k < $round % count($labels); $k++) {
			$labels[] = array_shift($labels);
		}
		foreach ($labels as $label) {
			$t = hrtime(true);
			for ($i = 0; $i < $n; $i++) {
				$cycle($stores[$label], $i);
			}
			$per[$label][] = (hrtime(true) - $t) / $n / 1000; // µs per cycle
		}
	}
	foreach ($per as $label => $xs) {
		sort($xs);
		$results[$cname][$label] = $xs[intdiv(count($xs), 2)];
	}
}
printf("%-6s %-16s %12s %10s\n", 'cycle', 'variant', 'µs/cycle', 'vs off');
foreach ($results as $cname => $byLabel) {
	$base = $byLabel['replicas=0'];
	foreach ($byLabel as $label => $us) {
		printf("%-6s %-16s %12.1f %9.2fx\n", $cname, $label, $us, $us / $base);
	}
}
if (isset($o['json'])) {
	file_put_contents($o['json'], json_encode([
		'iterations' => $n, 'rounds' => $rounds, 'us_per_cycle_median' => $results,
		'redis' => trim((string)shell_exec('redis-server --version')), 'load' => sys_getloadavg(),
	], JSON_PRETTY_PRINT | JSON_UNESCAPED_UNICODE) . "\n");
}
