--TEST--
Durability checks: eviction policies warn for locks too (CONFIG GET, or INFO memory when CONFIG is renamed away), no persistence warns for idempotency records; once per process per server, counted in stats(), no extra round trip afterwards
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--INI--
pcre.jit=0
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
require_once __DIR__ . '/../_support/redis_server.inc';
set_error_handler(function ($no, $msg) {
	if (!(error_reporting() & $no)) {
		return true;
	}
	echo "warning: ", preg_replace('/127\.0\.0\.1:\d+/', 'HOST', $msg), "\n";
	return true;
});
function stat_of(string $k): int { return PayLock\stats()[$k] ?? -1; }
function lock_once(string $dsn): void
{
	$l = new PayLock\Lock(new PayLock\RedisStore($dsn), uniq(), 10);
	$l->acquire();
	$l->release();
}

echo "-- volatile-ttl, locks only\n";
$ttl = new PrivateRedis(['--maxmemory', '64mb', '--maxmemory-policy', 'volatile-ttl', '--save', '3600 1']);
lock_once($ttl->dsn());
lock_once($ttl->dsn());   // same server: not again
lock_once($ttl->dsn('') . '/0');
echo "eviction_risk: ", stat_of('eviction_risk'), "\n";

echo "-- CONFIG renamed away, volatile-lru (a managed service)\n";
$managed = new PrivateRedis(['--maxmemory', '64mb', '--maxmemory-policy', 'volatile-lru', '--rename-command', 'CONFIG', '', '--appendonly', 'yes']);
$g = new PayLock\IdempotencyGuard(new PayLock\RedisStore($managed->dsn()));
echo $g->run(uniq(), fn() => 'ran'), "\n";
echo "eviction_risk: ", stat_of('eviction_risk'), ", no_persistence: ", stat_of('no_persistence'), "\n";

echo "-- no persistence: locks are not warned about, records are\n";
$bare = new PrivateRedis(['--save', '', '--appendonly', 'no']);
lock_once($bare->dsn());
echo "after a lock: no_persistence ", stat_of('no_persistence'), "\n";
$g = new PayLock\IdempotencyGuard(new PayLock\RedisStore($bare->dsn()));
$key = uniq();
echo $g->run($key, fn() => 'ran'), "\n";
// The replay path: the claim script only, no checks (counted by the server; our INFO adds one info).
$calls = function () use ($bare): array {
	preg_match_all('/cmdstat_([a-z|]+):calls=(\d+)/', $bare->cmd(['INFO', 'commandstats']), $m);
	return array_combine($m[1], array_map('intval', $m[2]));
};
$before = $calls();
echo $g->run($key, fn() => 'ran again'), "\n";
$after = $calls();
$diff = [];
ksort($after);
foreach ($after as $cmd => $n) {
	if ($n - ($before[$cmd] ?? 0)) {
		$diff[] = "$cmd+" . ($n - ($before[$cmd] ?? 0));
	}
}
echo "replay commands: ", implode(' ', $diff), "\n";
echo "no_persistence: ", stat_of('no_persistence'), "\n";

echo "-- noeviction with AOF: silent\n";
$good = new PrivateRedis(['--appendonly', 'yes']);
lock_once($good->dsn());
echo (new PayLock\IdempotencyGuard(new PayLock\RedisStore($good->dsn())))->run(uniq(), fn() => 'ran'), "\n";
echo "eviction_risk: ", stat_of('eviction_risk'), ", no_persistence: ", stat_of('no_persistence'), "\n";
?>
--EXPECT--
-- volatile-ttl, locks only
warning: PayLock\Lock::acquire(): Redis at HOST has maxmemory-policy volatile-ttl: under memory pressure it may evict lock keys (a second holder gets in), fencing counters and idempotency records (a payment step runs twice); set maxmemory-policy noeviction
eviction_risk: 1
-- CONFIG renamed away, volatile-lru (a managed service)
warning: PayLock\IdempotencyGuard::run(): Redis at HOST has maxmemory-policy volatile-lru: under memory pressure it may evict lock keys (a second holder gets in), fencing counters and idempotency records (a payment step runs twice); set maxmemory-policy noeviction
ran
eviction_risk: 2, no_persistence: 0
-- no persistence: locks are not warned about, records are
after a lock: no_persistence 0
warning: PayLock\IdempotencyGuard::run(): Redis at HOST keeps no data across a restart (no AOF, no RDB save points): a restart loses idempotency records and lets a completed payment step run again; enable appendonly yes (or RDB save points)
ran
ran
replay commands: evalsha+1 hmget+1 info+1
no_persistence: 1
-- noeviction with AOF: silent
ran
eviction_risk: 2, no_persistence: 1
