--TEST--
IdempotencyGuard: bad keys, waits and options give ValueError/TypeError naming the argument
--EXTENSIONS--
paylock
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
use PayLock\IdempotencyGuard;

function check(callable $f): void
{
	try {
		$f();
		echo "accepted\n";
	} catch (Throwable $e) {
		echo get_class($e), ': ', $e->getMessage(), "\n";
	}
}
$s = redis_store();
$g = new IdempotencyGuard($s);
check(fn() => $g->run('', fn() => 1));
check(fn() => $g->begin(str_repeat('k', 1025)));
check(fn() => $g->begin('k', null, -1));
check(fn() => $g->begin('k', null, NAN));
check(fn() => $g->run('k', fn() => 1, null, 1e9));
check(fn() => $g->forget(''));
check(fn() => $g->begin("k", new stdClass));
check(fn() => new IdempotencyGuard($s, ['retention' => 0]));
check(fn() => new IdempotencyGuard($s, ['retention' => 'a day']));
check(fn() => new IdempotencyGuard($s, ['in_progress_ttl' => -5]));
check(fn() => new IdempotencyGuard($s, ['in_progress_ttl' => INF]));
check(fn() => new IdempotencyGuard($s, ['max_result_bytes' => 1]));
check(fn() => new IdempotencyGuard($s, ['max_result_bytes' => 1.5]));
check(fn() => new IdempotencyGuard($s, ['prefix' => str_repeat('p', 65)]));
check(fn() => new IdempotencyGuard($s, ['scope' => 'blog{7}']));
check(fn() => new IdempotencyGuard($s, ['scope' => 7]));
check(fn() => new IdempotencyGuard($s, ['after_crash' => 'retry']));
check(fn() => new IdempotencyGuard($s, ['ttl' => 5]));
check(fn() => new IdempotencyGuard($s, [5]));
check(fn() => $g->run('k', fn() => 1, null, 0.0, ['unknown_on' => 'RuntimeException']));
check(fn() => $g->run('k', fn() => 1, null, 0.0, ['unknown_on' => ['NoSuchClass']]));
check(fn() => $g->run('k', fn() => 1, null, 0.0, ['unknown_on' => [stdClass::class]]));
check(fn() => $g->run('k', fn() => 1, null, 0.0, ['convert' => 'no_such_function']));
check(fn() => $g->run('k', fn() => 1, null, 0.0, ['renew' => 1]));
check(fn() => $g->run('k', fn() => 1, null, 0.0, ['wait' => 1]));
check(fn() => $g->begin(uniq())->refresh(0));
check(fn() => (new ReflectionClass(IdempotencyGuard::class))->newInstanceWithoutConstructor()->begin('k'));
check(fn() => clone $g);
check(fn() => serialize($g));
check(fn() => serialize($g->begin(uniq())));
// Binary keys are fine, and keys are binary-safe: "a\0b" and "a\0c" are different records.
$g->run("a\0b" . getmypid(), fn() => 'b');
echo $g->run("a\0c" . getmypid(), fn() => 'c'), "\n";
var_dump($g);
?>
--EXPECTF--
ValueError: PayLock\IdempotencyGuard::run(): Argument #1 ($key) cannot be empty
ValueError: PayLock\IdempotencyGuard::begin(): Argument #1 ($key) must be at most 1024 bytes long
ValueError: PayLock\IdempotencyGuard::begin(): Argument #3 ($wait) must be a finite number greater than or equal to 0
ValueError: PayLock\IdempotencyGuard::begin(): Argument #3 ($wait) must be a finite number greater than or equal to 0
ValueError: PayLock\IdempotencyGuard::run(): Argument #4 ($wait) must be at most 2592000 seconds (30 days)
ValueError: PayLock\IdempotencyGuard::forget(): Argument #1 ($key) cannot be empty
TypeError: PayLock\IdempotencyGuard::begin(): Argument #2 ($fingerprint) must be of type array|string|null, stdClass given
ValueError: PayLock\IdempotencyGuard::__construct(): Argument #2 ($options) option "retention" must be greater than 0 and at most 31622400 seconds
TypeError: PayLock\IdempotencyGuard::__construct(): Argument #2 ($options) option "retention" must be of type float, string given
ValueError: PayLock\IdempotencyGuard::__construct(): Argument #2 ($options) option "in_progress_ttl" must be greater than 0 and at most 2592000 seconds
ValueError: PayLock\IdempotencyGuard::__construct(): Argument #2 ($options) option "in_progress_ttl" must be greater than 0 and at most 2592000 seconds
ValueError: PayLock\IdempotencyGuard::__construct(): Argument #2 ($options) option "max_result_bytes" must be between 16 and 536870912
TypeError: PayLock\IdempotencyGuard::__construct(): Argument #2 ($options) option "max_result_bytes" must be of type int, float given
ValueError: PayLock\IdempotencyGuard::__construct(): Argument #2 ($options) option "prefix" must be at most 64 bytes long
ValueError: PayLock\IdempotencyGuard::__construct(): Argument #2 ($options) option "scope" must not contain '{', '}' or NUL bytes
TypeError: PayLock\IdempotencyGuard::__construct(): Argument #2 ($options) option "scope" must be of type string, int given
ValueError: PayLock\IdempotencyGuard::__construct(): Argument #2 ($options) option "after_crash" must be "rerun" or "throw"
ValueError: PayLock\IdempotencyGuard::__construct(): Argument #2 ($options) contains unknown option "ttl" (known: retention, in_progress_ttl, max_result_bytes, prefix, scope, after_crash)
ValueError: PayLock\IdempotencyGuard::__construct(): Argument #2 ($options) must be an array with string keys
TypeError: PayLock\IdempotencyGuard::run(): Argument #5 ($options) option "unknown_on" must be of type array, string given
ValueError: PayLock\IdempotencyGuard::run(): Argument #5 ($options) option "unknown_on" must list exception class names
ValueError: PayLock\IdempotencyGuard::run(): Argument #5 ($options) option "unknown_on" must list exception class names
TypeError: PayLock\IdempotencyGuard::run(): Argument #5 ($options) option "convert" must be a valid callback, function "no_such_function" not found or invalid function name
TypeError: PayLock\IdempotencyGuard::run(): Argument #5 ($options) option "renew" must be of type bool, int given
ValueError: PayLock\IdempotencyGuard::run(): Argument #5 ($options) contains unknown option "wait" (known: unknown_on, convert, renew)
ValueError: PayLock\Claim::refresh(): Argument #1 ($seconds) must be a finite number greater than 0
ReflectionException: Class PayLock\IdempotencyGuard is an internal class marked as final that cannot be instantiated without invoking its constructor
Error: Trying to clone an uncloneable object of class PayLock\IdempotencyGuard
Exception: Serialization of 'PayLock\IdempotencyGuard' is not allowed
Exception: Serialization of 'PayLock\Claim' is not allowed

Warning: main(): The claim on idempotency key "%s" was destroyed without complete() or abandon(); abandoned, so the next delivery runs the step again in %s on line %d
c
object(PayLock\IdempotencyGuard)#%d (6) {
  ["store"]=>
  string(5) "redis"
  ["prefix"]=>
  string(5) "idem:"
  ["scope"]=>
  string(0) ""
  ["retention"]=>
  float(86400)
  ["in_progress_ttl"]=>
  float(600)
  ["after_crash"]=>
  string(5) "rerun"
}
