--TEST--
Cluster: forked read-modify-write on names owned by every master loses no update; idempotent steps run exactly once
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
$names = array_merge(...array_values(cluster_names_per_master(1, 'stock')));
$files = [];
foreach ($names as $n) {
	$files[$n] = tally_file();
	file_put_contents($files[$n], '0');
}
$procs = procs(8, 4);
$iters = 12;
$r = fork_workers($procs, function (int $i) use ($names, $files, $iters) {
	$store = cluster_store();
	$fences = [];
	for ($k = 0; $k < $iters; $k++) {
		$name = $names[($i + $k) % count($names)];
		$lock = new PayLock\Lock($store, $name, 10);
		$lock->acquireOrFail(30);
		$v = (int)file_get_contents($files[$name]);
		usleep(300);
		file_put_contents($files[$name], (string)($v + 1));
		$fences[$name][] = [$lock->fencingToken(), $v];
		$lock->release();
	}
	return $fences;
});
$total = 0;
$bad = null;
$all = [];
foreach ($r as $i => $f) {
	if (!is_array($f)) { echo "child $i: $f\n"; continue; }
	foreach ($f as $name => $seen) $all[$name] = array_merge($all[$name] ?? [], $seen);
}
foreach ($names as $n) {
	$total += (int)file_get_contents($files[$n]);
	$seen = $all[$n] ?? [];
	usort($seen, fn($a, $b) => $a[0] <=> $b[0]);
	foreach ($seen as $k => [$fence, $v]) {
		if ($v !== $k) $bad ??= "$n: hold $k (token $fence) saw $v";
	}
}
echo "updates: ", same($total, $procs * $iters), "\n";
echo "tokens follow the counter on every master: ", yes($bad === null, (string)$bad), "\n";

// exactly-once: every delivery of the same event, from every process, runs the step once
$keys = array_merge(...array_values(cluster_names_per_master(4, 'order')));
$tally = tally_file();
$r = fork_workers($procs, function (int $i) use ($keys, $tally) {
	$g = new PayLock\IdempotencyGuard(cluster_store());
	$out = [];
	foreach ($keys as $key) {
		$out[] = $g->run($key, function () use ($tally, $key) { tally($tally); usleep(2000); return "paid $key"; }, null, 20);
	}
	return $out;
});
$wrong = 0;
foreach ($r as $i => $out) {
	if (!is_array($out)) { echo "child $i: $out\n"; $wrong++; continue; }
	foreach ($out as $j => $v) $wrong += $v === "paid {$keys[$j]}" ? 0 : 1;
}
echo "steps run: ", same(tally_count($tally), count($keys)), ", wrong results: $wrong\n";
?>
--EXPECT--
updates: true
tokens follow the counter on every master: yes
steps run: true, wrong results: 0
