--TEST--
IdempotencyGuard: $fn throwing abandons the claim (nothing stored, the next delivery runs again); abandon() and a dropped Claim do the same
--EXTENSIONS--
paylock
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
use PayLock\IdempotencyGuard;

foreach (idem_stores() as $kind => $store) {
	echo "== $kind\n";
	$g = new IdempotencyGuard($store);
	$key = uniq('capture');
	try {
		$g->run($key, function () { throw new DomainException('gateway timeout before the call was sent'); });
	} catch (DomainException $e) {
		echo 'propagated: ', $e->getMessage(), "\n";
	}
	echo 'retry: ', $g->run($key, fn() => 'captured on retry'), "\n";
	echo 'replay: ', $g->run($key, fn() => 'no'), "\n";
	echo 'attempt: ', attempt_note($g->begin($key)->attempt()), "\n";

	$c = $g->begin("$key:b");
	$c->abandon();
	$c->abandon(); // a second abandon is a no-op
	try {
		$c->complete('late');
	} catch (Error $e) {
		echo get_class($e), ': ', $e->getMessage(), "\n";
	}
	$c2 = $g->begin("$key:b");
	printf("after abandon(): replay=%s attempt grew=%s\n", var_export($c2->isReplay(), true),
		var_export($c2->attempt() > $c->attempt(), true));
	$c2->complete('ok');

	// A Claim dropped while an exception unwinds: abandoned quietly.
	try {
		(function () use ($g, $key) {
			$claim = $g->begin("$key:c");
			throw new RuntimeException('card declined');
		})();
	} catch (RuntimeException $e) {
	}
	$a = $g->begin("$key:c")->attempt(); // this one is dropped too
	echo 'after unwinding: attempt ', attempt_note($a), "\n";
	// ... and dropped without an exception: abandoned with a warning.
	$b = $g->begin("$key:c")->attempt();
	echo 'next: attempt grew: ', truth($b > $a, "$kind: $a then $b"), "\n";
}
$s = PayLock\stats();
printf("abandoned=%d executed=%d\n", $s['idem_abandoned'], $s['idem_executed']);
?>
--EXPECTF--
== redis
propagated: gateway timeout before the call was sent
retry: captured on retry
replay: captured on retry
attempt: new
Error: Cannot complete(): the claim on key "%s:b" was abandoned
after abandon(): replay=false attempt grew=true

Warning: main(): The claim on idempotency key "%s:c" was destroyed without complete() or abandon(); abandoned, so the next delivery runs the step again in %s on line %d
after unwinding: attempt new

Warning: main(): The claim on idempotency key "%s:c" was destroyed without complete() or abandon(); abandoned, so the next delivery runs the step again in %s on line %d
next: attempt grew: true
== file
propagated: gateway timeout before the call was sent
retry: captured on retry
replay: captured on retry
attempt: new
Error: Cannot complete(): the claim on key "%s:b" was abandoned
after abandon(): replay=false attempt grew=true

Warning: main(): The claim on idempotency key "%s:c" was destroyed without complete() or abandon(); abandoned, so the next delivery runs the step again in %s on line %d
after unwinding: attempt new

Warning: main(): The claim on idempotency key "%s:c" was destroyed without complete() or abandon(); abandoned, so the next delivery runs the step again in %s on line %d
next: attempt grew: true
abandoned=10 executed=14
