--TEST--
FallbackStore storm: same-host and other-host processes, some overrunning their lease: sections that kept their lease never overlap, fencing tokens grow in start order, nothing stays held
--EXTENSIONS--
paylock
posix
pcntl
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
$dsn = redis_dsn();
$hostA = lock_dir();
$hostB = lock_dir();
$name = uniq('storm');
$log = tally_file();
touch($log);
$stop = microtime(true) + 2.5;
$n = procs(8, 4);
$done = fork_workers($n, function (int $w) use ($dsn, $hostA, $hostB, $name, $log, $stop) {
	set_error_handler(fn() => true);
	$store = new PayLock\FallbackStore(new PayLock\RedisStore($dsn), new PayLock\FileStore($w % 4 === 3 ? $hostB : $hostA));
	$sections = 0;
	mt_srand($w);
	while (microtime(true) < $stop) {
		$l = new PayLock\Lock($store, $name, 0.25);
		if (!$l->acquire(1.0)) {
			continue;
		}
		$start = hrtime(true);
		$f = fopen($log, 'a');
		flock($f, LOCK_EX);
		$token = $l->fencingToken(); // issued under the lock, logged in issue order
		fwrite($f, "T $token\n");
		flock($f, LOCK_UN);
		usleep(mt_rand(0, 5) === 0 ? 350000 : 5000); // one in six overruns its 0.25 s lease
		$kept = $l->isAcquired();
		$end = hrtime(true);
		$l->release();
		file_put_contents($log, sprintf("S %d %d %d %d\n", $start, $end, $kept ? 1 : 0, $token), FILE_APPEND);
		$sections++;
	}
	return $sections;
});
$tokens = $kept = [];
foreach (file($log, FILE_IGNORE_NEW_LINES) as $line) {
	$p = explode(' ', $line);
	if ($p[0] === 'T') {
		$tokens[] = (int)$p[1];
	} elseif ($p[3] === '1') {
		$kept[] = [(int)$p[1], (int)$p[2]];
	}
}
$back = 0;
for ($i = 1; $i < count($tokens); $i++) {
	$back += $tokens[$i] <= $tokens[$i - 1] ? 1 : 0;
}
usort($kept, fn($a, $b) => $a[0] <=> $b[0]);
$overlaps = 0;
for ($i = 1; $i < count($kept); $i++) {
	$overlaps += $kept[$i][0] < $kept[$i - 1][1] ? 1 : 0;
}
$errors = array_filter($done, 'is_string');
echo $errors ? "worker errors: " . json_encode(array_values($errors)) . "\n" : "no worker errors\n";
echo array_sum(array_filter($done, 'is_int')) > 10 ? "many sections\n" : "few sections: " . json_encode($done) . "\n";
echo "overlaps among sections that kept their lease: $overlaps\n";
echo "tokens not increasing: $back\n";
var_dump(PayLock\holder(new PayLock\FileStore($hostA), $name), PayLock\holder(redis_store(), $name));
?>
--EXPECT--
no worker errors
many sections
overlaps among sections that kept their lease: 0
tokens not increasing: 0
NULL
NULL
