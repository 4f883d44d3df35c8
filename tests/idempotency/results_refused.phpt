--TEST--
IdempotencyGuard: results that are not null/bool/int/float/string/arrays, or over max_result_bytes, are refused before anything is stored
--EXTENSIONS--
paylock
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
use PayLock\IdempotencyGuard;

$self = [1];
$self[] = &$self;
foreach (idem_stores() as $kind => $store) {
	echo "== $kind\n";
	$g = new IdempotencyGuard($store, ['max_result_bytes' => 4096]);
	$c = $g->begin(uniq('pay'));
	foreach ([
		'object' => new ArrayObject([1]),
		'object inside an array' => ['charge' => (object)['id' => 'ch_1']],
		'closure' => fn() => 1,
		'resource' => STDIN,
		'enum-like object' => new DateTimeImmutable('2026-01-01'),
		'too big' => str_repeat('x', 4097),
		'too big nested' => array_fill(0, 600, 'abcdefgh'),
		'recursive' => $self,
	] as $what => $bad) {
		try {
			$c->complete($bad);
			echo "$what: STORED\n";
		} catch (TypeError | ValueError $e) {
			echo "$what: ", get_class($e), ': ', $e->getMessage(), "\n";
		}
	}
	$c->complete(['id' => 'ch_1']); // the claim stayed ours through the refusals
	echo 'then stored: ', $g->begin($c->key())->result()['id'], "\n";

	// run(): the step ran, but its result cannot be stored: outcome unknown (no silent re-run with 'throw').
	$key = uniq('pay');
	try {
		$g->run($key, fn() => new stdClass);
	} catch (TypeError $e) {
		echo 'run: ', $e->getMessage(), "\n";
	}
	try {
		(new IdempotencyGuard($store, ['after_crash' => 'throw']))->run($key, fn() => 'again');
	} catch (PayLock\OutcomeUnknownException $e) {
		echo "run: next delivery gets OutcomeUnknownException\n";
	}
	// Fingerprints have the same rule.
	try {
		$g->begin(uniq('pay'), ['amount' => new stdClass]);
	} catch (TypeError $e) {
		echo 'fingerprint: ', $e->getMessage(), "\n";
	}
}
?>
--EXPECT--
== redis
object: TypeError: PayLock\Claim::complete(): Argument #1 ($result) must be null, bool, int, float, string or an array of them, ArrayObject found
object inside an array: TypeError: PayLock\Claim::complete(): Argument #1 ($result) must be null, bool, int, float, string or an array of them, stdClass found
closure: TypeError: PayLock\Claim::complete(): Argument #1 ($result) must be null, bool, int, float, string or an array of them, Closure found
resource: TypeError: PayLock\Claim::complete(): Argument #1 ($result) must be null, bool, int, float, string or an array of them, resource found
enum-like object: TypeError: PayLock\Claim::complete(): Argument #1 ($result) must be null, bool, int, float, string or an array of them, DateTimeImmutable found
too big: ValueError: The result encodes to more than max_result_bytes (4096 bytes); it was not stored
too big nested: ValueError: The result encodes to more than max_result_bytes (4096 bytes); it was not stored
recursive: ValueError: The result is nested more than 64 levels deep (or refers to itself); it was not stored
then stored: ch_1
run: The value returned by $fn must be null, bool, int, float, string or an array of them, stdClass found
run: next delivery gets OutcomeUnknownException
fingerprint: PayLock\IdempotencyGuard::begin(): Argument #2 ($fingerprint) must hold only null, bool, int, float, string or an array of them, stdClass found
== file
object: TypeError: PayLock\Claim::complete(): Argument #1 ($result) must be null, bool, int, float, string or an array of them, ArrayObject found
object inside an array: TypeError: PayLock\Claim::complete(): Argument #1 ($result) must be null, bool, int, float, string or an array of them, stdClass found
closure: TypeError: PayLock\Claim::complete(): Argument #1 ($result) must be null, bool, int, float, string or an array of them, Closure found
resource: TypeError: PayLock\Claim::complete(): Argument #1 ($result) must be null, bool, int, float, string or an array of them, resource found
enum-like object: TypeError: PayLock\Claim::complete(): Argument #1 ($result) must be null, bool, int, float, string or an array of them, DateTimeImmutable found
too big: ValueError: The result encodes to more than max_result_bytes (4096 bytes); it was not stored
too big nested: ValueError: The result encodes to more than max_result_bytes (4096 bytes); it was not stored
recursive: ValueError: The result is nested more than 64 levels deep (or refers to itself); it was not stored
then stored: ch_1
run: The value returned by $fn must be null, bool, int, float, string or an array of them, stdClass found
run: next delivery gets OutcomeUnknownException
fingerprint: PayLock\IdempotencyGuard::begin(): Argument #2 ($fingerprint) must hold only null, bool, int, float, string or an array of them, stdClass found
