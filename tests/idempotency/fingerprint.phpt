--TEST--
IdempotencyGuard: fingerprints (strings, or arrays canonicalised in C: key order ignored, types kept) are checked on replay, while in flight and after a crash, and kept on completion
--EXTENSIONS--
paylock
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
use PayLock\IdempotencyGuard;

$req = ['amount' => 1999, 'currency' => 'eur', 'items' => [['sku' => 'A', 'qty' => 1], ['sku' => 'B', 'qty' => 2]],
	'meta' => ['b' => 1.5, 'a' => null, 7 => true]];
$same = ['meta' => [7 => true, 'a' => null, 'b' => 1.5], 'items' => [['qty' => 1, 'sku' => 'A'], ['qty' => 2, 'sku' => 'B']],
	'currency' => 'eur', 'amount' => 1999];
$variants = [
	'amount as string' => array_replace($req, ['amount' => '1999']),
	'amount as float' => array_replace($req, ['amount' => 1999.0]),
	'items reordered (a list keeps its order)' => array_replace($req, ['items' => array_reverse($req['items'])]),
	'extra field' => $req + ['coupon' => 'X'],
	'null vs missing' => array_diff_key($req, ['meta' => 1]) + ['meta' => ['b' => 1.5, 7 => true]],
];
foreach (idem_stores() as $kind => $store) {
	echo "== $kind\n";
	$g = new IdempotencyGuard($store);
	$key = uniq('pi');
	$g->run($key, fn() => 'captured', $req);
	echo 'same request, keys in another order: ', $g->run($key, fn() => 'no', $same), "\n";
	echo 'no fingerprint given: ', $g->run($key, fn() => 'no'), "\n";
	foreach ($variants as $what => $fp) {
		try {
			$g->run($key, fn() => 'no', $fp);
			echo "$what: ACCEPTED\n";
		} catch (PayLock\FingerprintMismatchException $e) {
			echo "$what: mismatch\n";
		}
	}
	// Strings are compared as given.
	$k2 = uniq('pi');
	$g->run($k2, fn() => 'ok', 'order=42&amount=1999');
	try {
		$g->run($k2, fn() => 'no', 'order=42&amount=2999');
	} catch (PayLock\FingerprintMismatchException $e) {
		echo "string fingerprint: mismatch\n";
	}
	// In flight: a different request is refused at once instead of waiting for (and replaying) another's result.
	$k3 = uniq('pi');
	$c = $g->begin($k3, ['amount' => 1]);
	$t = microtime(true);
	try {
		$g->begin($k3, ['amount' => 2], 5.0);
	} catch (PayLock\FingerprintMismatchException $e) {
		printf("in flight: mismatch without waiting: %s\n", var_export(microtime(true) - $t < 0.5, true));
	}
	$c->complete('x');
	// After an abandon the key is free for any request.
	$k4 = uniq('pi');
	$g->begin($k4, ['amount' => 1])->abandon();
	echo 'after abandon, other fingerprint: ', $g->run($k4, fn() => 'ran', ['amount' => 2]), "\n";
}
echo 'mismatches counted: ', PayLock\stats()['idem_mismatch'], "\n";
?>
--EXPECT--
== redis
same request, keys in another order: captured
no fingerprint given: captured
amount as string: mismatch
amount as float: mismatch
items reordered (a list keeps its order): mismatch
extra field: mismatch
null vs missing: mismatch
string fingerprint: mismatch
in flight: mismatch without waiting: true
after abandon, other fingerprint: ran
== file
same request, keys in another order: captured
no fingerprint given: captured
amount as string: mismatch
amount as float: mismatch
items reordered (a list keeps its order): mismatch
extra field: mismatch
null vs missing: mismatch
string fingerprint: mismatch
in flight: mismatch without waiting: true
after abandon, other fingerprint: ran
mismatches counted: 14
