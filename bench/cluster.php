<?php
/**
 * PayLock benchmark: Redis Cluster routing overhead. Uncontended acquire+release cycles on a name whose
 * slot is on a master that is not the first seed ("remote"), as a ratio to the same loop on a standalone
 * redis-server in the same run (rounds interleaved, medians), and the round trips of an idempotency
 * replay with a warm slot map (commands the owning master processed per replay, from INFO stats).
 *
 *   php -n -d extension=modules/paylock.so bench/cluster.php SEEDS STANDALONE_PORT [iterations] [rounds]
 * Started by bench/cluster.sh, which brings its own cluster and server.
 */
declare(strict_types=1);

[$seeds, $port] = [$argv[1], (int)$argv[2]];
$iters = (int)($argv[3] ?? 5000);
$rounds = (int)($argv[4] ?? 5);

require_once __DIR__ . '/common.php';

$first = (int)explode(':', explode(',', $seeds)[0])[1];
// a name on a master other than the first seed
for ($i = 0; ; $i++) {
	$name = "bench:$i";
	$slot = resp_once($first, 'CLUSTER', 'KEYSLOT', "paylock:{{$name}}");
	$owner = null;
	$r = resp_once($first, 'CLUSTER', 'NODES');
	foreach (explode("\n", trim((string)$r)) as $line) {
		$f = explode(' ', $line);
		if (!str_contains($f[2], 'master')) continue;
		foreach (array_slice($f, 8) as $range) {
			[$a, $b] = array_map('intval', explode('-', $range) + [1 => $range]);
			if ($slot >= $a && $slot <= $b) $owner = (int)explode('@', explode(':', $f[1])[1])[0];
		}
	}
	if ($owner !== null && $owner !== $first) break;
}

function cycle(PayLock\RedisStore $s, string $name, int $n): float
{
	$lock = new PayLock\Lock($s, $name, 30);
	$t = hrtime(true);
	for ($i = 0; $i < $n; $i++) {
		$lock->acquire();
		$lock->release();
	}
	return (hrtime(true) - $t) / 1e3 / $n;
}

$stores = [
	'cluster' => new PayLock\RedisStore("redis+cluster://$seeds"),
	'direct' => new PayLock\RedisStore("redis://127.0.0.1:$owner"), // the same master, unrouted
	'standalone' => new PayLock\RedisStore("redis://127.0.0.1:$port"),
];
$t = [];
foreach ($stores as $k => $st) cycle($st, $name, 500);
for ($r = 0; $r < $rounds; $r++) {
	$order = array_keys($stores);
	for ($k = 0; $k < $r % 3; $k++) $order[] = array_shift($order); // rotate: noise hits all alike
	foreach ($order as $k) $t[$k][] = cycle($stores[$k], $name, $iters);
}
$med = [];
foreach ($t as $k => $v) {
	sort($v);
	$med[$k] = $v[intdiv(count($v), 2)];
}
printf("uncontended acquire+release, name on a remote master (median of %d rounds x %d cycles):\n", $rounds, $iters);
printf("  cluster (routed) %.1f us, same master unrouted %.1f us, standalone %.1f us\n", $med['cluster'], $med['direct'], $med['standalone']);
printf("  ratio cluster/standalone %.2f, routing alone (cluster/unrouted) %.2f\n", $med['cluster'] / $med['standalone'], $med['cluster'] / $med['direct']);
$cluster = $stores['cluster'];

$g = new PayLock\IdempotencyGuard($cluster);
$g->run($name, fn() => 'paid');
$n = 1000;
$calls = fn() => array_sum(array_map(fn($m) => (int)$m, preg_match_all('/^cmdstat_(?:evalsha|eval|set|get|mget|blpop|asking):calls=(\d+)/m', (string)resp_once($owner, 'INFO', 'commandstats'), $mm) ? $mm[1] : []));
$before = $calls();
$t = hrtime(true);
for ($i = 0; $i < $n; $i++) $g->run($name, fn() => 'again');
$us = (hrtime(true) - $t) / 1e3 / $n;
$after = $calls();
printf("idempotency replay on the cluster, warm map: %.1f us, %.2f client commands on the owning master per replay\n", $us, ($after - $before) / $n);

// MultiLock of 3 names: one hash tag (one slot, one script call) against names on the three masters
// (one call per slot group), and the same 3 names on the standalone server; interleaved rounds, medians.
function names_per_master(int $first, array $seeds): array
{
	$by = [];
	for ($i = 0; count($by) < 3 && $i < 10000; $i++) {
		$n = "bench:ml:$i";
		$slot = resp_once($first, 'CLUSTER', 'KEYSLOT', "paylock:{{$n}}");
		foreach ($seeds as $range) {
			if ($slot >= $range[0] && $slot <= $range[1]) $by[$range[2]] ??= $n;
		}
	}
	return array_values($by);
}
$ranges = [];
foreach (explode("\n", trim((string)resp_once($first, 'CLUSTER', 'NODES'))) as $line) {
	$f = explode(' ', $line);
	if (!str_contains($f[2], 'master')) continue;
	foreach (array_slice($f, 8) as $range) {
		[$a, $b] = array_map('intval', explode('-', $range) + [1 => $range]);
		$ranges[] = [$a, $b, (int)explode('@', explode(':', $f[1])[1])[0]];
	}
}
$spread = names_per_master($first, $ranges);
$carts = [
	'tagged' => [$cluster, ['{bench:cart}a', '{bench:cart}b', '{bench:cart}c']],
	'cross-slot' => [$cluster, $spread],
	'standalone' => [$stores['standalone'], $spread],
];
$mcycle = function (PayLock\RedisStore $s, array $names, int $n): float {
	$m = new PayLock\MultiLock($s, $names, 30);
	$t = hrtime(true);
	for ($i = 0; $i < $n; $i++) {
		$m->acquire();
		$m->release();
	}
	return (hrtime(true) - $t) / 1e3 / $n;
};
$t = [];
foreach ($carts as [$s, $names]) $mcycle($s, $names, 200);
for ($r = 0; $r < $rounds; $r++) {
	$order = array_keys($carts);
	for ($k = 0; $k < $r % 3; $k++) $order[] = array_shift($order);
	foreach ($order as $k) $t[$k][] = $mcycle($carts[$k][0], $carts[$k][1], intdiv($iters, 2));
}
$med = [];
foreach ($t as $k => $v) {
	sort($v);
	$med[$k] = $v[intdiv(count($v), 2)];
}
printf("MultiLock of 3 names, uncontended acquire+release (median of %d rounds x %d cycles):\n", $rounds, intdiv($iters, 2));
printf("  cluster, one hash tag %.1f us; cluster, one name per master (3 slot groups) %.1f us; standalone %.1f us\n", $med['tagged'], $med['cross-slot'], $med['standalone']);
printf("  ratio cross-slot/tagged %.2f, tagged/standalone %.2f\n", $med['cross-slot'] / $med['tagged'], $med['tagged'] / $med['standalone']);
