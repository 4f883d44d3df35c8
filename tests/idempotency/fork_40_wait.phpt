--TEST--
IdempotencyGuard: 40 processes deliver one key at once with wait: the step runs once and all get its result
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
		return $g->run($key, function () use ($tally, $i) {
			tally($tally);
			usleep(200000); // the capture call to the gateway
			return ['captured_by' => $i, 'charge' => 'ch_' . $i];
		}, null, 10.0);
	});
	$distinct = array_unique(array_map('serialize', $got));
	printf("%s: %d deliveries, step ran %d time(s), %d distinct result(s), errors: %d\n", $kind, $n,
		tally_count($tally), count($distinct), count(array_filter($got, 'is_string')));
}
?>
--EXPECTF--
redis: %d deliveries, step ran 1 time(s), 1 distinct result(s), errors: 0
file: %d deliveries, step ran 1 time(s), 1 distinct result(s), errors: 0
