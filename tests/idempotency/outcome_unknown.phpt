--TEST--
IdempotencyGuard: markUnknown() and run()'s unknown_on exceptions make the next delivery throw OutcomeUnknownException even with after_crash 'rerun', until forget(); other exceptions mean nothing happened; attempt numbers never repeat, also across forget() and expiry
--EXTENSIONS--
paylock
pcntl
posix
--INI--
pcre.jit=0
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
use PayLock\IdempotencyGuard;

class GatewayTimeout extends RuntimeException {}
class CardDeclined extends RuntimeException {}

function next_delivery(string $kind, string $dir, string $key): string
{
	[$r] = fork_workers(1, function () use ($kind, $dir, $key) {
		$g = new IdempotencyGuard(idem_store($kind, $dir), ['after_crash' => 'rerun']);
		return $g->run($key, fn() => 'RAN AGAIN');
	});
	return preg_replace('/Attempt \d+ of idempotency key "[^"]+"/', 'Attempt N of idempotency key "KEY"', $r);
}

foreach (['redis', 'file', 'fallback'] as $kind) {
	echo "== $kind\n";
	$dir = lock_dir();
	$g = new IdempotencyGuard(idem_store($kind, $dir), ['after_crash' => 'rerun']);
	$seen = [];

	// The two-step capture: the gateway call timed out, so the charge may exist.
	$key = uniq('capture');
	$c = $g->begin($key);
	$seen[] = $c->attempt();
	$c->markUnknown();
	echo 'markUnknown, next delivery: ', next_delivery($kind, $dir, $key), "\n";
	try {
		$c->complete('late');
	} catch (Error $e) {
		echo 'complete after markUnknown: ', $e->getMessage() === "Cannot complete(): the claim on key \"$key\" was abandoned" ? 'refused' : $e->getMessage(), "\n";
	}

	// run() with unknown_on: a listed exception marks the outcome unknown, others mean nothing happened.
	$opts = ['unknown_on' => [GatewayTimeout::class]];
	$k2 = uniq('capture');
	try {
		$g->run($k2, function () { throw new GatewayTimeout('no answer in 30 s'); }, null, 0.0, $opts);
	} catch (GatewayTimeout $e) {
		echo 'unknown_on: propagated ', get_class($e), "\n";
	}
	echo 'unknown_on, next delivery: ', next_delivery($kind, $dir, $k2), "\n";
	$k3 = uniq('capture');
	try {
		$g->run($k3, function () { throw new CardDeclined('declined'); }, null, 0.0, $opts);
	} catch (CardDeclined $e) {
		echo 'not listed: propagated ', get_class($e), "\n";
	}
	echo 'not listed, next delivery: ', next_delivery($kind, $dir, $k3), "\n";

	// Reconciled (the charge did not happen): forget() and the next attempt has a number never used before.
	$g->forget($key);
	$c = $g->begin($key);
	$seen[] = $c->attempt();
	$c->abandon();
	$c = $g->begin($key);
	$seen[] = $c->attempt();
	$c->complete('captured');
	// Record expiry: a short retention, then the key is new again, and still no number repeats.
	$short = new IdempotencyGuard(idem_store($kind, $dir), ['retention' => 0.2]);
	$k4 = uniq('capture');
	$c = $short->begin($k4);
	$seen4 = [$c->attempt()];
	$c->complete('x');
	usleep(400000);
	$c = $short->begin($k4);
	echo 'after expiry: replay=', var_export($c->isReplay(), true), "\n";
	$seen4[] = $c->attempt();
	$c->complete('y');
	$strict = fn(array $a) => $a === array_values(array_unique($a)) && $a === (function ($a) { sort($a); return $a; })($a);
	echo 'attempts strictly increasing across markUnknown, forget, abandon: ', var_export($strict($seen), true), "\n";
	echo 'attempts strictly increasing across expiry: ', var_export($strict($seen4), true), "\n";
	echo 'attempts floored by the claim time: ', attempt_note($seen[0]), "\n";
}
?>
--EXPECT--
== redis
markUnknown, next delivery: ERROR PayLock\OutcomeUnknownException: Attempt N of idempotency key "KEY" was marked outcome unknown (markUnknown() or an unknown_on exception): it may have taken effect. Reconcile it, then forget() the key
complete after markUnknown: refused
unknown_on: propagated GatewayTimeout
unknown_on, next delivery: ERROR PayLock\OutcomeUnknownException: Attempt N of idempotency key "KEY" was marked outcome unknown (markUnknown() or an unknown_on exception): it may have taken effect. Reconcile it, then forget() the key
not listed: propagated CardDeclined
not listed, next delivery: RAN AGAIN
after expiry: replay=false
attempts strictly increasing across markUnknown, forget, abandon: true
attempts strictly increasing across expiry: true
attempts floored by the claim time: new
== file
markUnknown, next delivery: ERROR PayLock\OutcomeUnknownException: Attempt N of idempotency key "KEY" was marked outcome unknown (markUnknown() or an unknown_on exception): it may have taken effect. Reconcile it, then forget() the key
complete after markUnknown: refused
unknown_on: propagated GatewayTimeout
unknown_on, next delivery: ERROR PayLock\OutcomeUnknownException: Attempt N of idempotency key "KEY" was marked outcome unknown (markUnknown() or an unknown_on exception): it may have taken effect. Reconcile it, then forget() the key
not listed: propagated CardDeclined
not listed, next delivery: RAN AGAIN
after expiry: replay=false
attempts strictly increasing across markUnknown, forget, abandon: true
attempts strictly increasing across expiry: true
attempts floored by the claim time: new
== fallback
markUnknown, next delivery: ERROR PayLock\OutcomeUnknownException: Attempt N of idempotency key "KEY" was marked outcome unknown (markUnknown() or an unknown_on exception): it may have taken effect. Reconcile it, then forget() the key
complete after markUnknown: refused
unknown_on: propagated GatewayTimeout
unknown_on, next delivery: ERROR PayLock\OutcomeUnknownException: Attempt N of idempotency key "KEY" was marked outcome unknown (markUnknown() or an unknown_on exception): it may have taken effect. Reconcile it, then forget() the key
not listed: propagated CardDeclined
not listed, next delivery: RAN AGAIN
after expiry: replay=false
attempts strictly increasing across markUnknown, forget, abandon: true
attempts strictly increasing across expiry: true
attempts floored by the claim time: new
