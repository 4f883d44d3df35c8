--TEST--
IdempotencyGuard: 40 concurrent deliveries without wait: one runs, the others get InProgressException at once
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
use PayLock\IdempotencyGuard;

$n = procs(40);
foreach (idem_stores() as $kind => $store) {
	$key = uniq('evt');
	$tally = tally_file();
	$start = microtime(true) + 0.4;
	$got = fork_workers($n, function ($i) use ($store, $key, $tally, $start) {
		$g = new IdempotencyGuard($store);
		usleep(max(0, (int)(($start - microtime(true)) * 1e6))); // a late starter (valgrind) just goes
		$t = microtime(true);
		try {
			return ['ran', $g->run($key, function () use ($tally) {
				tally($tally);
				usleep(1500000);
				return 'captured';
			})];
		} catch (PayLock\InProgressException $e) {
			return ['in progress', microtime(true) - $t];
		}
	});
	$ran = array_filter($got, fn($r) => $r[0] === 'ran');
	$busy = array_filter($got, fn($r) => $r[0] === 'in progress');
	$slowest = $busy ? max(array_column($busy, 1)) : 0;
	printf("%s: ran=%d, in_progress=n-1: %s, step ran %d time(s); InProgressException within 0.5 s: %s\n", $kind,
		count($ran), truth(count($busy) === $n - 1, count($busy) . " of $n"), tally_count($tally),
		truth($slowest < 0.5, sprintf('slowest %.3f s', $slowest)));
	var_dump(count($ran) + count($busy) === $n);
}
?>
--EXPECT--
redis: ran=1, in_progress=n-1: true, step ran 1 time(s); InProgressException within 0.5 s: true
bool(true)
file: ran=1, in_progress=n-1: true, step ran 1 time(s); InProgressException within 0.5 s: true
bool(true)
