--TEST--
IdempotencyGuard: a step that returned while the store refused every write (Redis out of memory under noeviction) is never run again: the claim is kept, marked "result not stored" at request end, and the next deliveries get OutcomeUnknownException instead of running it
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
require_once __DIR__ . '/../_support/redis_server.inc';
$redis = new PrivateRedis(['--save', '3600 1', '--maxmemory-policy', 'noeviction']);
$ran = tally_file();
$deliver = function () use ($redis, $ran): string {
	$g = new PayLock\IdempotencyGuard(new PayLock\RedisStore($redis->dsn()), ['in_progress_ttl' => 1]);
	try {
		return 'result ' . $g->run('evt-oom', function () use ($redis, $ran) {
			file_put_contents($ran, "charge\n", FILE_APPEND);
			$c = stream_socket_client("tcp://127.0.0.1:$redis->port");
			fwrite($c, "CONFIG SET maxmemory 1\r\n"); // from now on Redis refuses every write
			fgets($c);
			return 'paid';
		});
	} catch (Throwable $e) {
		return get_class($e);
	}
};
$pid = pcntl_fork();
if ($pid === 0) {
	echo "first delivery: ", $deliver(), "\n";
	// Redis accepts writes again before this request ends.
	$c = stream_socket_client("tcp://127.0.0.1:$redis->port");
	fwrite($c, "CONFIG SET maxmemory 0\r\n");
	fgets($c);
	exit(0);
}
pcntl_waitpid($pid, $st);
usleep(1300000); // past in_progress_ttl: a claim left "running" would now read as crashed and run again
for ($i = 0; $i < 3; $i++) {
	echo "redelivery: ", $deliver(), "\n";
}
echo "executions: ", count(file($ran)), "\n";
?>
--EXPECTF--
first delivery: 
Warning: %s Could not mark idempotency key "evt-oom" after its result was refused: %s; the claim is kept and marked again at request end in %s
PayLock\StoreException
redelivery: PayLock\OutcomeUnknownException
redelivery: PayLock\OutcomeUnknownException
redelivery: PayLock\OutcomeUnknownException
executions: 1
