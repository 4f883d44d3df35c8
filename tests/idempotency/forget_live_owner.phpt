--TEST--
IdempotencyGuard::forget(): refused (InProgressException) while a live owner runs the step; forced, the key is deleted and the owner still writes its result back when it completes (documented); a dead owner's key is forgotten
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

foreach (['redis', 'file', 'fallback'] as $kind) {
	$dir = lock_dir();
	$key = uniq('capture');
	$tally = tally_file();
	$pid = pcntl_fork();
	if ($pid === 0) {
		$g = new IdempotencyGuard(idem_store($kind, $dir));
		$g->run($key, function () use ($tally) { tally($tally); usleep(1200000); return 'captured by owner'; });
		posix_kill(getmypid(), SIGKILL);
	}
	usleep(300000);
	$g = new IdempotencyGuard(idem_store($kind, $dir));
	try {
		$g->forget($key);
		echo "$kind: FORGOTTEN while running\n";
	} catch (PayLock\InProgressException $e) {
		echo "$kind: ", str_replace($key, 'KEY', $e->getMessage()), "\n";
	}
	try {
		$g->run($key, fn() => 'RAN BESIDE');
	} catch (PayLock\InProgressException) {
		echo "$kind: a delivery meanwhile: InProgressException\n";
	}
	$g->forget($key, force: true);
	pcntl_waitpid($pid, $st);
	echo "$kind: after a forced forget the owner wrote back: ", $g->run($key, fn() => 'RAN AGAIN'), "\n";
	printf("%s: step ran %d time(s)\n", $kind, tally_count($tally));

	// A dead owner is no live owner: forget() works without force.
	$k2 = uniq('capture');
	$pid = pcntl_fork();
	if ($pid === 0) {
		$g2 = new IdempotencyGuard(idem_store($kind, $dir), ['in_progress_ttl' => 0.3]);
		$c = $g2->begin($k2);
		posix_kill(getmypid(), SIGKILL);
	}
	pcntl_waitpid($pid, $st);
	usleep(400000);
	$g->forget($k2);
	echo "$kind: dead owner's key forgotten: ", $g->run($k2, fn() => 'reconciled and run'), "\n";
}
?>
--EXPECT--
redis: Cannot forget idempotency key "KEY": a live owner is running its step. Wait until it finishes, or pass force: true (the owner's result is still written back when it completes, but a delivery arriving meanwhile runs the step beside it)
redis: a delivery meanwhile: InProgressException
redis: after a forced forget the owner wrote back: captured by owner
redis: step ran 1 time(s)
redis: dead owner's key forgotten: reconciled and run
file: Cannot forget idempotency key "KEY": a live owner is running its step. Wait until it finishes, or pass force: true (the owner's result is still written back when it completes, but a delivery arriving meanwhile runs the step beside it)
file: a delivery meanwhile: InProgressException
file: after a forced forget the owner wrote back: captured by owner
file: step ran 1 time(s)
file: dead owner's key forgotten: reconciled and run
fallback: Cannot forget idempotency key "KEY": a live owner is running its step. Wait until it finishes, or pass force: true (the owner's result is still written back when it completes, but a delivery arriving meanwhile runs the step beside it)
fallback: a delivery meanwhile: InProgressException
fallback: after a forced forget the owner wrote back: captured by owner
fallback: step ran 1 time(s)
fallback: dead owner's key forgotten: reconciled and run
