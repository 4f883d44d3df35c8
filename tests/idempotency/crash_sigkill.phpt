--TEST--
IdempotencyGuard: a process SIGKILLed mid-step leaves the key in progress until in_progress_ttl (Redis) or until it dies (files), then the next delivery re-runs it, or throws OutcomeUnknownException with after_crash => 'throw'
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

function killed_mid_step(PayLock\Store $store, string $key, float $after = 0.0): int
{
	$pid = pcntl_fork();
	if ($pid === 0) {
		$g = new IdempotencyGuard($store, ['in_progress_ttl' => 1.0]);
		$c = $g->begin($key);
		usleep((int)($after * 1e6));
		posix_kill(getmypid(), SIGKILL); // the OOM killer, or FPM's request_terminate_timeout
	}
	return $pid;
}

foreach (idem_stores() as $kind => $store) {
	echo "== $kind\n";
	$rerun = new IdempotencyGuard($store, ['in_progress_ttl' => 1.0]);
	$strict = new IdempotencyGuard($store, ['in_progress_ttl' => 1.0, 'after_crash' => 'throw']);
	$a = uniq('capture');
	$b = uniq('capture');
	pcntl_waitpid(killed_mid_step($store, $a), $st);
	pcntl_waitpid(killed_mid_step($store, $b), $st);
	foreach (['at once' => 0, 'after in_progress_ttl' => 1.1] as $when => $sleep) {
		usleep((int)($sleep * 1e6));
		try {
			$c = $rerun->begin($a);
			printf("%s, after_crash rerun: runs again (attempt %s)\n", $when, attempt_note($c->attempt()));
			$c->complete('recaptured');
		} catch (PayLock\Exception $e) {
			printf("%s, after_crash rerun: %s\n", $when, get_class($e));
		}
		try {
			$strict->begin($b)->abandon();
			echo "$when, after_crash throw: ran\n";
		} catch (PayLock\Exception $e) {
			printf("%s, after_crash throw: %s\n", $when, get_class($e));
		}
		if ($kind === 'file') {
			break; // a file claim dies with its process: nothing to wait for
		}
	}
	echo 'replay: ', $rerun->run($a, fn() => 'no'), "\n";
	try {
		$strict->run($b, fn() => 'no');
	} catch (PayLock\OutcomeUnknownException $e) {
		echo $e->getMessage(), "\n";
	}
	$strict->forget($b); // reconciled by hand
	echo 'after forget(): ', $strict->run($b, fn() => 'reconciled'), "\n";

	// A waiter takes over when the owner dies: at its lease end on Redis, at once on files.
	$k = uniq('capture');
	$pid = killed_mid_step($store, $k, 0.3);
	usleep(100000);
	$t = microtime(true);
	$c = $rerun->begin($k, null, 5.0);
	$took = microtime(true) - $t;
	printf("waiter took over: attempt %s after %s\n", attempt_note($c->attempt()),
		$kind === 'redis' ? ($took > 0.8 && $took < 1.3 ? 'the lease (~1 s)' : "$took s") : ($took < 0.5 ? 'the kill' : "$took s"));
	$c->complete('by waiter');
	pcntl_waitpid($pid, $st);
}
?>
--EXPECTF--
== redis
at once, after_crash rerun: PayLock\InProgressException
at once, after_crash throw: PayLock\InProgressException
after in_progress_ttl, after_crash rerun: runs again (attempt new)
after in_progress_ttl, after_crash throw: PayLock\OutcomeUnknownException
replay: recaptured
Attempt %d of idempotency key "%s" died mid-step, so its outcome is unknown (after_crash: throw). Reconcile it, then forget() the key
after forget(): reconciled
waiter took over: attempt new after the lease (~1 s)
== file
at once, after_crash rerun: runs again (attempt new)
at once, after_crash throw: PayLock\OutcomeUnknownException
replay: recaptured
Attempt %d of idempotency key "%s" died mid-step, so its outcome is unknown (after_crash: throw). Reconcile it, then forget() the key
after forget(): reconciled
waiter took over: attempt new after the kill
