--TEST--
IdempotencyGuard: scope and prefix keep sites apart; a Redis whose maxmemory-policy can evict records gets one E_WARNING per process (and stats)
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

foreach (idem_stores() as $kind => $store) {
	$key = uniq('evt');
	$blog1 = new IdempotencyGuard($store, ['scope' => 'blog:1']);
	$blog2 = new IdempotencyGuard($store, ['scope' => 'blog:2']);
	$other = new IdempotencyGuard($store, ['prefix' => 'webhooks:']);
	$plain = new IdempotencyGuard($store);
	printf("%s: %s %s %s %s / replay %s\n", $kind, $blog1->run($key, fn() => 'b1'), $blog2->run($key, fn() => 'b2'),
		$other->run($key, fn() => 'other'), $plain->run($key, fn() => 'plain'), $blog1->run($key, fn() => 'no'));
}
echo "redis key: ", implode(',', redis_raw(['KEYS', 'paylock:idem:blog:1:{evt:*'])) !== '' ? 'paylock:idem:blog:1:{<key>}' : 'missing', "\n";

$noevict = redis_store();
(new IdempotencyGuard($noevict))->run(uniq(), fn() => 1);
echo 'noeviction: risk=', PayLock\stats()['idem_eviction_risk'], "\n";

$lru = start_private_redis(null, ['--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru']);
$g = new IdempotencyGuard(new PayLock\RedisStore("redis://127.0.0.1:{$lru[0]}"));
$g->run(uniq(), fn() => 1);
$g->run(uniq(), fn() => 2); // warned once only
echo 'allkeys-lru: risk=', PayLock\stats()['idem_eviction_risk'], "\n";
stop_private_redis($lru);
?>
--EXPECTF--
redis: b1 b2 other plain / replay b1
file: b1 b2 other plain / replay b1
redis key: paylock:idem:blog:1:{<key>}
noeviction: risk=0

Warning: PayLock\IdempotencyGuard::run(): Redis at 127.0.0.1:%d has maxmemory-policy allkeys-lru: under memory pressure it may evict lock keys (a second holder gets in), fencing counters and idempotency records (a payment step runs twice); set maxmemory-policy noeviction in %s on line %d
allkeys-lru: risk=1
