--TEST--
IdempotencyGuard: the first delivery runs, every replay returns the stored result exactly (types kept), on Redis and files
--EXTENSIONS--
paylock
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
use PayLock\IdempotencyGuard;

$result = [
	'status' => 'captured', 'amount' => 1999, 'fee' => 0.3, 'neg_zero' => -0.0, 'inf' => INF, 'ok' => true,
	'refunded' => false, 'note' => null, 'raw' => "bin\0ary\xff", 7 => 'int key', 'lines' => [[1, 'a'], [2, 'b']],
	'empty' => [],
];
foreach (idem_stores() as $kind => $store) {
	$g = new IdempotencyGuard($store);
	$key = uniq('pi');
	$calls = 0;
	$first = $g->run($key, function () use (&$calls, $result) { $calls++; return $result; });
	$again = $g->run($key, function () use (&$calls) { $calls++; return 'must not run'; });
	$claim = $g->begin($key);
	printf("%s: calls=%d first===result %s replay===result %s begin replay=%s attempt=%s key ok=%s\n", $kind, $calls,
		same($first, $result), same($again, $result),
		var_export($claim->isReplay(), true), attempt_note($claim->attempt()), same($claim->key(), $key));
	var_dump(fdiv(1, $again['neg_zero']) < 0, $claim->result() === $result);
	if ($claim->result() !== $result) {
		echo "$kind: begin() replayed ", substr(var_export($claim->result(), true), 0, 200), "\n";
	}

	// Scalars round-trip too.
	foreach ([null, false, 0, PHP_INT_MIN, 1.5, '', str_repeat('z', 70000)] as $i => $v) {
		$g->run("$key:$i", fn() => $v);
		if ($g->run("$key:$i", fn() => 'x') !== $v) {
			echo "$kind: scalar $i did not round-trip\n";
		}
	}
	// Two-step form.
	$c = $g->begin("$key:two");
	var_dump($c->isReplay());
	try {
		$c->result();
	} catch (Error $e) {
		echo get_class($e), ': ', $e->getMessage(), "\n";
	}
	$c->complete(['order' => 42]);
	var_dump($c->result());
	try {
		$c->complete(1);
	} catch (Error $e) {
		echo get_class($e), ': ', $e->getMessage(), "\n";
	}
	$r = $g->begin("$key:two");
	try {
		$r->complete(1);
	} catch (Error $e) {
		echo get_class($e), ': ', $e->getMessage(), "\n";
	}
	var_dump($r->result()['order']);
}
try {
	new PayLock\Claim();
} catch (Error $e) {
	echo get_class($e), ': ', $e->getMessage(), "\n";
}
$s = PayLock\stats();
printf("executed=%d replayed=%d\n", $s['idem_executed'], $s['idem_replayed']);
?>
--EXPECTF--
redis: calls=1 first===result true replay===result true begin replay=true attempt=new key ok=true
bool(true)
bool(true)
bool(false)
Error: The claim on key "%s:two" has no result: run the step, then complete() it
array(1) {
  ["order"]=>
  int(42)
}
Error: Cannot complete(): the claim on key "%s:two" is already completed
Error: Cannot complete(): this claim replays an earlier run of key "%s:two"
int(42)
file: calls=1 first===result true replay===result true begin replay=true attempt=new key ok=true
bool(true)
bool(true)
bool(false)
Error: The claim on key "%s:two" has no result: run the step, then complete() it
array(1) {
  ["order"]=>
  int(42)
}
Error: Cannot complete(): the claim on key "%s:two" is already completed
Error: Cannot complete(): this claim replays an earlier run of key "%s:two"
int(42)
Error: Call to private PayLock\Claim::__construct() from global scope
executed=18 replayed=20
