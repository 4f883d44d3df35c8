--TEST--
IdempotencyGuard: the prefix must be non-empty and brace-free (records never share keys with locks); fingerprints and results are bounded in size and values while walking (a shared sub-array counts each time it is reached): ValueError naming the argument, never an out-of-memory error
--EXTENSIONS--
paylock
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--INI--
memory_limit=256M
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
use PayLock\IdempotencyGuard;

foreach (['', '{', 'a}b'] as $prefix) {
	try {
		new IdempotencyGuard(redis_store(), ['prefix' => $prefix]);
	} catch (ValueError $e) {
		echo $e->getMessage(), "\n";
	}
}
// A lock and a record of the same name stay apart with any accepted prefix.
$name = uniq('order');
$lock = new PayLock\Lock(redis_store(), $name, 5);
var_dump($lock->acquire());
echo (new IdempotencyGuard(redis_store(), ['prefix' => 'x']))->run($name, fn() => 'ran'), "\n";
var_dump($lock->release());

// 1000 references to one 1000-element array: a small PHP value, a million values to walk.
$row = range(1, 1000);
$shared = array_fill(0, 1001, $row);
foreach (idem_stores() as $kind => $store) {
	$g = new IdempotencyGuard($store, ['max_result_bytes' => 512 * 1024 * 1024]);
	try {
		$g->begin(uniq('k'), $shared);
	} catch (ValueError $e) {
		echo "$kind: ", $e->getMessage(), "\n";
	}
	try {
		$g->begin(uniq('k'), [str_repeat('x', 5 * 1024 * 1024)]);
	} catch (ValueError $e) {
		echo "$kind: ", $e->getMessage(), "\n";
	}
	$key = uniq('k');
	try {
		$g->run($key, fn() => $shared);
	} catch (ValueError $e) {
		echo "$kind: ", $e->getMessage(), "\n";
	}
	try {
		$g->run($key, fn() => 'RAN AGAIN');
	} catch (PayLock\OutcomeUnknownException) {
		echo "$kind: the step ran: replays get OutcomeUnknownException\n";
	}
	$c = $g->begin(uniq('k'));
	try {
		$c->complete($shared);
	} catch (ValueError $e) {
		echo "$kind: ", $e->getMessage(), "\n";
	}
	$c->complete(array_fill(0, 999, $row)); // 999,001 values: within the bound
	echo "$kind: just under the bound is stored\n";
}
?>
--EXPECT--
PayLock\IdempotencyGuard::__construct(): Argument #2 ($options) option "prefix" must not be empty or contain '{', '}' or NUL bytes (records would share keys with locks)
PayLock\IdempotencyGuard::__construct(): Argument #2 ($options) option "prefix" must not be empty or contain '{', '}' or NUL bytes (records would share keys with locks)
PayLock\IdempotencyGuard::__construct(): Argument #2 ($options) option "prefix" must not be empty or contain '{', '}' or NUL bytes (records would share keys with locks)
bool(true)
ran
bool(true)
redis: PayLock\IdempotencyGuard::begin(): Argument #2 ($fingerprint) must encode to at most 4194304 bytes
redis: PayLock\IdempotencyGuard::begin(): Argument #2 ($fingerprint) must encode to at most 4194304 bytes
redis: The value returned by $fn holds more than 1000000 values (a shared sub-array counts each time it is reached); it was not stored
redis: the step ran: replays get OutcomeUnknownException
redis: The result holds more than 1000000 values (a shared sub-array counts each time it is reached); it was not stored
redis: just under the bound is stored
file: PayLock\IdempotencyGuard::begin(): Argument #2 ($fingerprint) must encode to at most 4194304 bytes
file: PayLock\IdempotencyGuard::begin(): Argument #2 ($fingerprint) must encode to at most 4194304 bytes
file: The value returned by $fn holds more than 1000000 values (a shared sub-array counts each time it is reached); it was not stored
file: the step ran: replays get OutcomeUnknownException
file: The result holds more than 1000000 values (a shared sub-array counts each time it is reached); it was not stored
file: just under the bound is stored
