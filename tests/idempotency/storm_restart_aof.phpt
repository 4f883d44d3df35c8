--TEST--
IdempotencyGuard: 40 deliveries at once across a Redis restart (AOF on, appendfsync always) run the step exactly once, on RedisStore and on FallbackStore with 40 hosts (on_redis_down 'fail')
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
use PayLock\IdempotencyGuard;

$aof = ['--appendonly', 'yes', '--appendfsync', 'always'];
$r = start_private_redis(null, $aof);
$port = $r[0];
$dsn = "redis://127.0.0.1:$port";
foreach (['redis', 'fallback'] as $kind) {
	$key = uniq('capture');
	$tally = tally_file();
	$go = microtime(true) + 0.5;
	$pid = pcntl_fork();
	if ($pid === 0) {
		$got = fork_workers(procs(40), function () use ($kind, $dsn, $key, $tally, $go) {
			usleep(max(0, (int)(($go - microtime(true)) * 1e6))); // a late starter (valgrind) just goes
			// FallbackStore with on_redis_down 'fail': degrading would let another host run the step locally
			// while Redis is away, which is what 'degrade' means.
			$redis = new PayLock\RedisStore($dsn, ['connect_timeout' => 0.5]);
			$g = new IdempotencyGuard($kind === 'redis' ? $redis
				: new PayLock\FallbackStore($redis, new PayLock\FileStore(lock_dir()), ['on_redis_down' => 'fail']));
			// A queue redelivers until the delivery is acknowledged: retry while Redis is away.
			for ($try = 0; $try < 100; $try++) {
				try {
					return @$g->run($key, function () use ($tally) {
						tally($tally);
						usleep(800000);
						return 'captured';
					}, null, 2.0);
				} catch (PayLock\ConnectionException | PayLock\InProgressException) {
					usleep(100000);
				}
			}
			return 'gave up';
		});
		// Every delivery got the step's result, or gave up / failed without running it (slow instrumented runs).
		$other = array_filter($got, fn($v) => $v !== 'captured' && $v !== 'gave up' && !str_starts_with($v, 'ERROR'));
		file_put_contents("$tally.got", $other === [] ? 'none got another result' : implode(',', $got));
		posix_kill(getmypid(), SIGKILL);
	}
	usleep(max(0, (int)(($go + 0.3 - microtime(true)) * 1e6))); // the step runs: restart Redis under it
	stop_private_redis($r);
	$r = start_private_redis($port, $aof);
	pcntl_waitpid($pid, $st);
	printf("%s: step ran %d time(s); deliveries: %s\n", $kind, tally_count($tally), file_get_contents("$tally.got"));
}
stop_private_redis($r);
?>
--EXPECT--
redis: step ran 1 time(s); deliveries: none got another result
fallback: step ran 1 time(s); deliveries: none got another result
