--TEST--
IdempotencyGuard: a step longer than in_progress_ttl that renews its claim (run() option "renew", Claim::refresh()) runs once under a redelivery storm; without renewal Redis takes the claim over (documented)
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
use PayLock\{Claim, IdempotencyGuard};

const TTL = 1.0;
const STEP = 2.5;

/** A long step: the gateway answers after STEP seconds; with $renew it refreshes its claim on the way. */
function long_step(string $tally, ?Claim $claim): string
{
	tally($tally);
	$end = microtime(true) + STEP;
	while (microtime(true) < $end) {
		usleep(200000);
		$claim?->refresh();
	}
	return 'captured';
}

function storm(string $kind, string $dir, string $key, string $tally, bool $otherHosts): array
{
	return fork_workers(procs(10, 4), function ($i) use ($kind, $dir, $key, $tally, $otherHosts) {
		usleep(100000);
		$g = new IdempotencyGuard(idem_store($kind, $otherHosts ? lock_dir() : $dir), ['in_progress_ttl' => TTL]);
		$until = microtime(true) + STEP + 3;
		while (microtime(true) < $until) {
			try {
				return $g->run($key, fn() => long_step($tally, null));
			} catch (PayLock\InProgressException) {
				usleep(50000);
			}
		}
		return 'gave up';
	});
}

foreach (['redis', 'file', 'fallback'] as $kind) {
	$dir = lock_dir();
	$key = uniq('capture');
	$tally = tally_file();
	$pid = pcntl_fork();
	if ($pid === 0) {
		$g = new IdempotencyGuard(idem_store($kind, $dir), ['in_progress_ttl' => TTL]);
		$g->run($key, fn(Claim $c) => long_step($tally, $c), null, 0.0, ['renew' => true]);
		posix_kill(getmypid(), SIGKILL);
	}
	// Redeliveries from other hosts for FallbackStore (this host's file lock would hold them anyway).
	$got = storm($kind, $dir, $key, $tally, $kind === 'fallback');
	pcntl_waitpid($pid, $st);
	printf("%s, renewed: step ran %d time(s), deliveries got %s\n", $kind, tally_count($tally), implode(',', array_unique($got)));
}

// Without renewal the Redis claim ends after in_progress_ttl and a redelivery takes over, as documented.
$key = uniq('capture');
$tally = tally_file();
$pid = pcntl_fork();
if ($pid === 0) {
	$g = new IdempotencyGuard(redis_store(), ['in_progress_ttl' => TTL]);
	try {
		$g->run($key, fn() => long_step($tally, null));
	} catch (PayLock\LockLostException) {
	}
	posix_kill(getmypid(), SIGKILL);
}
storm('redis', '', $key, $tally, false);
pcntl_waitpid($pid, $st);
printf("redis, not renewed: step ran more than once: %s\n", var_export(tally_count($tally) > 1, true));

// refresh() is owner-checked and takes a lease length.
$g = new IdempotencyGuard(redis_store(), ['in_progress_ttl' => 0.3]);
$c = $g->begin($key2 = uniq('capture'));
$c->refresh(5.0);
usleep(400000);
try {
	$g->begin($key2);
} catch (PayLock\InProgressException) {
	echo "refresh(5.0): still ours after in_progress_ttl\n";
}
$c->complete('ok');
try {
	$c->refresh();
} catch (Error $e) {
	echo get_class($e), ': ', $e->getMessage(), "\n";
}
try {
	$g->begin(uniq('capture'))->refresh(-1);
} catch (ValueError $e) {
	echo get_class($e), ': ', $e->getMessage(), "\n";
}
?>
--EXPECTF--
redis, renewed: step ran 1 time(s), deliveries got captured
file, renewed: step ran 1 time(s), deliveries got captured
fallback, renewed: step ran 1 time(s), deliveries got captured
redis, not renewed: step ran more than once: true
refresh(5.0): still ours after in_progress_ttl
Error: Cannot refresh(): the claim on key "%s" is already completed
ValueError: PayLock\Claim::refresh(): Argument #1 ($seconds) must be %s
