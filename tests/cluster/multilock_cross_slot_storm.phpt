--TEST--
Cluster: forked workers take overlapping cross-slot MultiLocks (names on all three masters) and read-modify-write a counter per name: no lost update, no deadlock, fencing tokens strictly increasing per name
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
$names = array_merge(...array_values(cluster_names_per_master(2, 'cart')));
$files = [];
foreach ($names as $n) {
	$files[$n] = tally_file();
	file_put_contents($files[$n], '0');
}
$procs = procs(8, 4);
$iters = 10;
$deadline = 30.0;
$t0 = microtime(true);
$r = fork_workers($procs, function (int $i) use ($names, $files, $iters, $deadline) {
	mt_srand($i + 1);
	$store = cluster_store();
	$seen = [];
	$late = 0;
	for ($k = 0; $k < $iters; $k++) {
		// a cart of 2 to 4 names, overlapping the others' carts, in a different order each time
		$cart = $names;
		shuffle($cart);
		$cart = array_slice($cart, 0, mt_rand(2, 4));
		$m = new PayLock\MultiLock($store, $cart, 10);
		if (!$m->acquire($deadline)) {
			$late++;
			continue;
		}
		$fences = $m->fencingTokens();
		foreach ($cart as $n) { // unguarded read-modify-write: only the lock keeps updates apart
			$v = (int)file_get_contents($files[$n]);
			usleep(200);
			file_put_contents($files[$n], (string)($v + 1));
			$seen[$n][] = [$fences[$n], $v];
		}
		$m->release();
	}
	return ['seen' => $seen, 'late' => $late];
});
$took = microtime(true) - $t0;
$want = array_fill_keys($names, 0);
$bad = null;
$late = 0;
$all = [];
foreach ($r as $i => $out) {
	if (!is_array($out)) { echo "child $i: $out\n"; continue; }
	$late += $out['late'];
	foreach ($out['seen'] as $n => $s) {
		$want[$n] += count($s);
		$all[$n] = array_merge($all[$n] ?? [], $s);
	}
}
$lost = 0;
foreach ($names as $n) {
	$lost += $want[$n] - (int)file_get_contents($files[$n]);
	$s = $all[$n] ?? [];
	usort($s, fn($a, $b) => $a[0] <=> $b[0]);
	foreach ($s as $k => [$fence, $v]) {
		if ($v !== $k) $bad ??= "$n: hold $k (token $fence) saw $v";
	}
}
echo "every cart taken before its deadline (no deadlock): ", yes($late === 0 && $took < $deadline, "$late late, {$took}s"), "\n";
echo "updates: ", same(array_sum($want), array_sum(array_map(fn($f) => (int)file_get_contents($f), $files))), ", lost: $lost\n";
echo "tokens strictly increasing per name, in hold order: ", yes($bad === null, (string)$bad), "\n";
$store = cluster_store();
echo "nothing left held: ", same(array_filter(array_map(fn($n) => PayLock\holder($store, $n), $names)), []), "\n";
?>
--EXPECT--
every cart taken before its deadline (no deadlock): yes
updates: true, lost: 0
tokens strictly increasing per name, in hold order: yes
nothing left held: true
