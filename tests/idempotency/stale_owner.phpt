--TEST--
IdempotencyGuard: an owner whose claim expired and was taken over (or was forgotten with force; forget() alone refuses a live owner) cannot complete or abandon the new owner's record
--EXTENSIONS--
paylock
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
use PayLock\IdempotencyGuard;

// Redis: the lease runs out while the slow owner is still at the gateway.
$g = new IdempotencyGuard(redis_store(), ['in_progress_ttl' => 0.3]);
$key = uniq('capture');
$slow = $g->begin($key);
usleep(400000);
$fresh = $g->begin($key);
echo 'new owner attempt is higher: ', var_export($fresh->attempt() > $slow->attempt(), true), "\n";
try {
	$slow->complete('stale result');
} catch (PayLock\LockLostException $e) {
	echo get_class($e), ': ', $e->getMessage(), "\n";
}
$slow->abandon(); // no longer ours: nothing to give up, and the new owner's claim stays
$fresh->complete('fresh result');
echo 'replay: ', $g->run($key, fn() => 'no'), "\n";

// Both stores: forget() while a claim runs, then another delivery claims.
foreach (idem_stores() as $kind => $store) {
	$g = new IdempotencyGuard($store);
	$key = uniq('capture');
	$old = $g->begin($key);
	try {
		$g->forget($key);
	} catch (PayLock\InProgressException $e) {
		echo "$kind: forget refused while the owner lives\n";
	}
	$g->forget($key, force: true);
	$new = $g->begin($key);
	try {
		$old->complete('old');
	} catch (PayLock\LockLostException $e) {
		echo "$kind: old owner refused\n";
	}
	$new->complete('new');
	echo "$kind: replay ", $g->run($key, fn() => 'no'), "\n";
}
echo 'lost: ', PayLock\stats()['idem_lost'], "\n";
?>
--EXPECTF--
new owner attempt is higher: true
PayLock\LockLostException: The claim on idempotency key "%s" ended before complete(): another delivery owns the key now (this claim outlived in_progress_ttl without refresh(), or the key was forgotten with force). This result was not stored
replay: fresh result
redis: forget refused while the owner lives
redis: old owner refused
redis: replay new
file: forget refused while the owner lives
file: old owner refused
file: replay new
lost: 3
