--TEST--
IdempotencyGuard on FallbackStore: Redis goes down while a step claimed on Redis runs; the step is never run again on another host. The claim is not degraded (run() throws ConnectionException, this host keeps the result for its own replays), and it is marked on Redis at request end once Redis is back, so another host past in_progress_ttl gets OutcomeUnknownException instead of a re-run
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php
require __DIR__ . '/../_support/skipif.inc';
require_once __DIR__ . '/../_support/over.inc';
skip_over(['cluster', 'sentinel'], 'about a single server\'s faults on a private redis-server it starts');
?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
require_once __DIR__ . '/../_support/redis_server.inc';
use PayLock\{FallbackStore, FileStore, IdempotencyGuard, RedisStore};

// AOF with fsync always: the claim survives the SIGKILL, as on a managed Redis that restarts
$redis = new PrivateRedis(['--appendonly', 'yes', '--appendfsync', 'always']);
$ran = tally_file();
$host = fn(string $dir) => new IdempotencyGuard(
	new FallbackStore(new RedisStore($redis->dsn(), ['connect_timeout' => 0.3]), new FileStore($dir)),
	['in_progress_ttl' => 1]);
$key = uniq('evt');
$dir1 = lock_dir();
$pair = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$ask = function (string $what) use ($pair): void { fwrite($pair[1], "$what\n"); fgets($pair[1]); };
$pid = pcntl_fork();
if ($pid === 0) {
	ini_set('display_errors', '0'); // its warnings are not what is checked here
	try {
		$out = 'result ' . $host($dir1)->run($key, function () use ($ran, $ask) {
			file_put_contents($ran, "charge\n", FILE_APPEND);
			$ask('kill'); // Redis dies after the claim, before the result is stored
			return 'paid';
		});
	} catch (Throwable $e) {
		$out = get_class($e);
	}
	$replay = '';
	try {
		$replay = $host($dir1)->run($key, fn() => 'RAN AGAIN ON HOST 1');
	} catch (Throwable $e) {
		$replay = get_class($e);
	}
	$ask('start'); // Redis is back before this request ends
	fwrite($pair[1], json_encode([$out, $replay]) . "\n");
	exit(0);
}
foreach (['kill', 'start'] as $step) {
	$got = trim(fgets($pair[0]));
	if ($got !== $step) {
		echo "unexpected: $got\n";
		break;
	}
	$step === 'kill' ? $redis->stop() : $redis->start();
	fwrite($pair[0], "ok\n");
}
echo 'host 1, first delivery and its replay: ', trim(fgets($pair[0])), "\n";
pcntl_waitpid($pid, $st);
usleep(1300000); // past in_progress_ttl: a claim left "running" on Redis would now read as crashed
$host2 = $host(lock_dir());
for ($i = 0; $i < 2; $i++) {
	try {
		$got = $host2->run($key, function () use ($ran) {
			file_put_contents($ran, "charge\n", FILE_APPEND);
			return 'HOST 2 RAN';
		});
	} catch (Throwable $e) {
		$got = get_class($e);
	}
	echo 'host 2: ', $got, "\n";
}
echo 'executions: ', count(file($ran)), "\n";
?>
--EXPECT--
host 1, first delivery and its replay: ["PayLock\\ConnectionException","paid"]
host 2: PayLock\OutcomeUnknownException
host 2: PayLock\OutcomeUnknownException
executions: 1
