--TEST--
IdempotencyGuard on FallbackStore: results go to Redis and the local files; with Redis down it carries on locally (one warning) and replays what this host ran; with on_redis_down 'fail' it throws
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php
require __DIR__ . '/../_support/skipif.inc';
require_once __DIR__ . '/../_support/over.inc';
skip_over(['cluster', 'sentinel'], 'about a single server\'s faults (restart, FLUSHALL, maxmemory) on private redis-servers it starts');
?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
use PayLock\{FallbackStore, FileStore, IdempotencyGuard, RedisStore};

$r = start_private_redis();
$dsn = "redis://127.0.0.1:{$r[0]}";
$dir = lock_dir();
$g = new IdempotencyGuard(new FallbackStore(new RedisStore($dsn, ['connect_timeout' => 0.3]), new FileStore($dir)));
$key = uniq('evt');
echo 'up: ', $g->run($key, fn() => 'captured while up'), "\n";
// Another host (its own lock dir) sees the result through Redis, then keeps it locally.
$host2 = new IdempotencyGuard(new FallbackStore(new RedisStore($dsn), new FileStore(lock_dir())));
echo 'host 2 replay: ', $host2->run($key, fn() => 'HOST 2 RAN'), "\n";

// 40 deliveries at once on this host: once.
$tally = tally_file();
$k2 = uniq('evt');
$got = fork_workers(procs(40), function () use ($dsn, $dir, $k2, $tally) {
	$g = new IdempotencyGuard(new FallbackStore(new RedisStore($dsn), new FileStore($dir)));
	return $g->run($k2, function () use ($tally) { tally($tally); usleep(200000); return 'once'; }, null, 10.0);
});
printf("concurrent, Redis up: step ran %d time(s), results: %s\n", tally_count($tally), implode(',', array_unique($got)));

stop_private_redis($r);
echo 'down, replay from local record: ', $g->run($key, fn() => 'RAN AGAIN'), "\n";
$k3 = uniq('evt');
$v = $g->run($k3, fn() => 'captured while down');
echo "down, new key: $v\n";
echo 'down, replay: ', $g->run($k3, fn() => 'RAN AGAIN'), "\n";
$tally = tally_file();
$k4 = uniq('evt');
$got = fork_workers(procs(40), function () use ($dsn, $dir, $k4, $tally) {
	$g = new IdempotencyGuard(new FallbackStore(new RedisStore($dsn, ['connect_timeout' => 0.3]), new FileStore($dir)));
	return @$g->run($k4, function () use ($tally) { tally($tally); usleep(200000); return 'once'; }, null, 10.0);
});
printf("concurrent, Redis down: step ran %d time(s), results: %s\n", tally_count($tally), implode(',', array_unique($got)));

$strict = new IdempotencyGuard(new FallbackStore(new RedisStore($dsn, ['connect_timeout' => 0.3]), new FileStore($dir),
	['on_redis_down' => 'fail']));
try {
	$strict->run(uniq('evt'), fn() => 'NO');
} catch (PayLock\ConnectionException $e) {
	echo "on_redis_down fail: ConnectionException\n";
}
echo 'but local replays still answer: ', $strict->run($k3, fn() => 'NO'), "\n";

$r = start_private_redis($r[0]); // back, empty (no persistence)
echo 'back up, replay of a key run while down: ', $g->run($k3, fn() => 'RAN AGAIN'), "\n";
stop_private_redis($r);
echo 'degraded count > 0: ', var_export(PayLock\stats()['degraded'] > 0, true), "\n";
?>
--EXPECTF--
up: captured while up
host 2 replay: captured while up
concurrent, Redis up: step ran 1 time(s), results: once
down, replay from local record: captured while up

Warning: PayLock\IdempotencyGuard::run(): Cannot connect to Redis at 127.0.0.1:%d: %s; FallbackStore continues on local file locks only (degraded) for this request in %s on line %d
down, new key: captured while down
down, replay: captured while down
concurrent, Redis down: step ran 1 time(s), results: once
on_redis_down fail: ConnectionException
but local replays still answer: captured while down
back up, replay of a key run while down: captured while down
degraded count > 0: true
