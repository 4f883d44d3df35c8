--TEST--
Lock: 16 forked processes doing read-modify-write under one name lose no update; fencing tokens follow the counter
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
$name = uniq('stock');
$file = tempnam(getenv('PAYLOCK_TEST_TMP') ?: sys_get_temp_dir(), 'counter');
file_put_contents($file, '0');
$procs = 16;
$iters = 25;
$r = fork_workers($procs, function (int $i) use ($name, $file, $iters) {
	$store = redis_store();
	$seen = [];
	for ($k = 0; $k < $iters; $k++) {
		$lock = new PayLock\Lock($store, $name, 10);
		$lock->acquireOrFail(30);
		// read-modify-write with a gap, the race shops lose stock to
		$v = (int)file_get_contents($file);
		usleep(200);
		file_put_contents($file, (string)($v + 1));
		$seen[] = [$lock->fencingToken(), $v];
		if (!$lock->release()) {
			throw new RuntimeException('release failed');
		}
	}
	return $seen;
});
$all = [];
foreach ($r as $i => $seen) {
	if (!is_array($seen)) { echo "child $i: $seen\n"; continue; }
	$all = array_merge($all, $seen);
}
echo "counter: ", file_get_contents($file), " (expected ", $procs * $iters, ")\n";
usort($all, fn($a, $b) => $a[0] <=> $b[0]);
$bad = null;
foreach ($all as $k => [$fence, $v]) {
	if ($v !== $k || ($k > 0 && $fence <= $all[$k - 1][0])) {
		$bad ??= "RedisStore: hold $k saw counter $v with token $fence, the hold before had token " . ($all[$k - 1][0] ?? '-');
	}
}
echo "fencing tokens strictly increase in counter order: ", yes($bad === null, (string)$bad), "\n";
unlink($file);
?>
--EXPECT--
counter: 400 (expected 400)
fencing tokens strictly increase in counter order: yes
