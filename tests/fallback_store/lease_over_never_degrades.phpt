--TEST--
FallbackStore: a holder whose Redis lease ended (so a same-host waiter may hold the lock on Redis) never turns into a degraded holder when Redis then goes away: refresh(), isAcquired() and fencingToken() report it lost, so one host never has two holders
--EXTENSIONS--
paylock
posix
pcntl
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
require_once __DIR__ . '/../_support/redis_server.inc';
set_error_handler(fn($n, $s) => true); // the degraded warnings are not what this is about
$dir = lock_dir();
foreach (['refresh', 'isAcquired', 'fencingToken'] as $op) {
	$redis = new PrivateRedis();
	$store = fn() => new PayLock\FallbackStore(
		new PayLock\RedisStore($redis->dsn(), ['read_timeout' => 0.3, 'connect_timeout' => 0.3]),
		new PayLock\FileStore($dir));
	$name = uniq('order');
	$a = new PayLock\Lock($store(), $name, 0.6);
	$a->acquire();
	usleep(900000); // A's lease is over; A still holds the local file lock
	$got = tally_file();
	$b = pcntl_fork();
	if ($b === 0) { // same host: goes past A to Redis, and holds for 10 s
		$l = new PayLock\Lock($store(), $name, 10);
		file_put_contents($got, $l->acquire(3.0) && !$l->isDegraded() ? 'held on Redis' : 'not held');
		sleep(4);
		exit(0);
	}
	for ($i = 0; $i < 300 && !filesize_now($got); $i++) usleep(10000);
	$redis->stop(); // and now Redis goes away
	try {
		$r = match ($op) {
			'refresh' => ($a->refresh(5.0) ?? 'refreshed'),
			'isAcquired' => var_export($a->isAcquired(), true),
			'fencingToken' => 'token ' . $a->fencingToken(),
		};
	} catch (Throwable $e) {
		$r = get_class($e);
	}
	printf("%s: B %s; A's %s with Redis gone: %s, A degraded: %s\n", $op, file_get_contents($got), $op, $r,
		var_export($a->isDegraded(), true));
	posix_kill($b, SIGKILL);
	pcntl_waitpid($b, $st);
	unset($a);
}
function filesize_now(string $f): int { clearstatcache(); return (int)@filesize($f); }
?>
--EXPECT--
refresh: B held on Redis; A's refresh with Redis gone: PayLock\LockLostException, A degraded: false
isAcquired: B held on Redis; A's isAcquired with Redis gone: false, A degraded: false
fencingToken: B held on Redis; A's fencingToken with Redis gone: PayLock\LockLostException, A degraded: false
