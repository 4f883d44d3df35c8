--TEST--
IdempotencyGuard: a step whose result cannot be stored (an object, over max_result_bytes) ran once: 3 deliveries, 1 execution, replays get OutcomeUnknownException saying so (whatever after_crash says); the "convert" option stores such results
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
	echo "== $kind\n";
	$dir = lock_dir();
	foreach ([
		'object' => fn() => (object)['id' => 'ch_1', 'status' => 'succeeded'],
		'too large' => fn() => str_repeat('x', 5000),
	] as $what => $step) {
		$key = uniq('capture');
		$tally = tally_file();
		// Three deliveries, one after the other, each its own process (a queue redelivering).
		for ($i = 1; $i <= 3; $i++) {
			[$r] = fork_workers(1, function () use ($kind, $dir, $key, $tally, $step) {
				$g = new IdempotencyGuard(idem_store($kind, $dir), ['max_result_bytes' => 4096]);
				try {
					return $g->run($key, function () use ($tally, $step) { tally($tally); return $step(); });
				} catch (TypeError | ValueError | PayLock\OutcomeUnknownException $e) {
					return get_class($e) . ': ' . $e->getMessage();
				}
			});
			echo "$what, delivery $i: ", str_replace($key, 'KEY', $r), "\n";
		}
		printf("%s: step ran %d time(s)\n", $what, tally_count($tally));
	}

	// convert: the gateway's response object becomes an array; every delivery gets the same array.
	$key = uniq('capture');
	$tally = tally_file();
	$g = new IdempotencyGuard(idem_store($kind, $dir));
	$opts = ['convert' => fn(object $resp) => ['id' => $resp->id, 'status' => $resp->status]];
	for ($i = 1; $i <= 3; $i++) {
		$v = $g->run($key, function () use ($tally) {
			tally($tally);
			return (object)['id' => 'ch_2', 'status' => 'succeeded', 'raw' => new ArrayObject()];
		}, null, 0.0, $opts);
		echo "convert, delivery $i: ", json_encode($v), "\n";
	}
	printf("convert: step ran %d time(s)\n", tally_count($tally));

	// A converter that throws: the step ran, nothing stored, not run again.
	$key = uniq('capture');
	try {
		$g->run($key, fn() => 'ok', null, 0.0, ['convert' => function () { throw new LogicException('bad mapping'); }]);
	} catch (LogicException $e) {
		echo 'convert threw: ', $e->getMessage(), "\n";
	}
	try {
		$g->run($key, fn() => 'RAN AGAIN');
	} catch (PayLock\OutcomeUnknownException $e) {
		echo "then: OutcomeUnknownException\n";
	}
	// Reconciled: forget() and the next delivery runs again, with an attempt never used before.
	$other = $g->begin(uniq('x')); // claimed after the key's attempt: a higher number
	$before = $other->attempt();
	$other->abandon();
	$g->forget($key);
	$c = $g->begin($key);
	echo 'after forget: runs again, attempt grew: ', var_export($c->attempt() > $before, true), "\n";
	$c->complete('reconciled');
}
?>
--EXPECTF--
== redis
object, delivery 1: TypeError: The value returned by $fn must be null, bool, int, float, string or an array of them, stdClass found
object, delivery 2: PayLock\OutcomeUnknownException: Attempt %d of idempotency key "KEY" ran, but its result could not be stored (not storable or over max_result_bytes), so it is not run again. Reconcile it, then forget() the key; run()'s "convert" option stores such results
object, delivery 3: PayLock\OutcomeUnknownException: Attempt %d of idempotency key "KEY" ran, but its result could not be stored (not storable or over max_result_bytes), so it is not run again. Reconcile it, then forget() the key; run()'s "convert" option stores such results
object: step ran 1 time(s)
too large, delivery 1: ValueError: The value returned by $fn encodes to more than max_result_bytes (4096 bytes); it was not stored
too large, delivery 2: PayLock\OutcomeUnknownException: Attempt %d of idempotency key "KEY" ran, but its result could not be stored (not storable or over max_result_bytes), so it is not run again. Reconcile it, then forget() the key; run()'s "convert" option stores such results
too large, delivery 3: PayLock\OutcomeUnknownException: Attempt %d of idempotency key "KEY" ran, but its result could not be stored (not storable or over max_result_bytes), so it is not run again. Reconcile it, then forget() the key; run()'s "convert" option stores such results
too large: step ran 1 time(s)
convert, delivery 1: {"id":"ch_2","status":"succeeded"}
convert, delivery 2: {"id":"ch_2","status":"succeeded"}
convert, delivery 3: {"id":"ch_2","status":"succeeded"}
convert: step ran 1 time(s)
convert threw: bad mapping
then: OutcomeUnknownException
after forget: runs again, attempt grew: true
== file
object, delivery 1: TypeError: The value returned by $fn must be null, bool, int, float, string or an array of them, stdClass found
object, delivery 2: PayLock\OutcomeUnknownException: Attempt %d of idempotency key "KEY" ran, but its result could not be stored (not storable or over max_result_bytes), so it is not run again. Reconcile it, then forget() the key; run()'s "convert" option stores such results
object, delivery 3: PayLock\OutcomeUnknownException: Attempt %d of idempotency key "KEY" ran, but its result could not be stored (not storable or over max_result_bytes), so it is not run again. Reconcile it, then forget() the key; run()'s "convert" option stores such results
object: step ran 1 time(s)
too large, delivery 1: ValueError: The value returned by $fn encodes to more than max_result_bytes (4096 bytes); it was not stored
too large, delivery 2: PayLock\OutcomeUnknownException: Attempt %d of idempotency key "KEY" ran, but its result could not be stored (not storable or over max_result_bytes), so it is not run again. Reconcile it, then forget() the key; run()'s "convert" option stores such results
too large, delivery 3: PayLock\OutcomeUnknownException: Attempt %d of idempotency key "KEY" ran, but its result could not be stored (not storable or over max_result_bytes), so it is not run again. Reconcile it, then forget() the key; run()'s "convert" option stores such results
too large: step ran 1 time(s)
convert, delivery 1: {"id":"ch_2","status":"succeeded"}
convert, delivery 2: {"id":"ch_2","status":"succeeded"}
convert, delivery 3: {"id":"ch_2","status":"succeeded"}
convert: step ran 1 time(s)
convert threw: bad mapping
then: OutcomeUnknownException
after forget: runs again, attempt grew: true
== fallback
object, delivery 1: TypeError: The value returned by $fn must be null, bool, int, float, string or an array of them, stdClass found
object, delivery 2: PayLock\OutcomeUnknownException: Attempt %d of idempotency key "KEY" ran, but its result could not be stored (not storable or over max_result_bytes), so it is not run again. Reconcile it, then forget() the key; run()'s "convert" option stores such results
object, delivery 3: PayLock\OutcomeUnknownException: Attempt %d of idempotency key "KEY" ran, but its result could not be stored (not storable or over max_result_bytes), so it is not run again. Reconcile it, then forget() the key; run()'s "convert" option stores such results
object: step ran 1 time(s)
too large, delivery 1: ValueError: The value returned by $fn encodes to more than max_result_bytes (4096 bytes); it was not stored
too large, delivery 2: PayLock\OutcomeUnknownException: Attempt %d of idempotency key "KEY" ran, but its result could not be stored (not storable or over max_result_bytes), so it is not run again. Reconcile it, then forget() the key; run()'s "convert" option stores such results
too large, delivery 3: PayLock\OutcomeUnknownException: Attempt %d of idempotency key "KEY" ran, but its result could not be stored (not storable or over max_result_bytes), so it is not run again. Reconcile it, then forget() the key; run()'s "convert" option stores such results
too large: step ran 1 time(s)
convert, delivery 1: {"id":"ch_2","status":"succeeded"}
convert, delivery 2: {"id":"ch_2","status":"succeeded"}
convert, delivery 3: {"id":"ch_2","status":"succeeded"}
convert: step ran 1 time(s)
convert threw: bad mapping
then: OutcomeUnknownException
after forget: runs again, attempt grew: true
