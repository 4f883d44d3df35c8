--TEST--
RedisStore fencing: tokens strictly increase in issue order across FLUSHALL and a restart without persistence (forked storm)
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
$redis = new PrivateRedis(); // --save '' --appendonly no: a restart loses everything
$dsn = $redis->dsn();
$log = tally_file();
touch($log);
$name = uniq('fence');

// Simple first: a FLUSHALL between two holds used to reset the counter (8 -> 1).
$store = new PayLock\RedisStore($dsn);
$lock = new PayLock\Lock($store, $name, 10);
$before = [];
for ($i = 0; $i < 3; $i++) {
	$lock->acquire();
	$before[] = $lock->fencingToken();
	$lock->release();
}
$redis->cmd(['FLUSHALL']);
$lock->acquire();
$after = $lock->fencingToken();
$lock->release();
echo "after FLUSHALL: ", $after > max($before) && $before[0] < $before[1] && $before[1] < $before[2] ? "above" : "BACKWARDS " . json_encode([$before, $after]), "\n";

// Storm: workers take the lock, and issue+log each token under a local flock on the log, so the log's
// order is the order Redis issued the tokens in. Meanwhile the parent FLUSHALLs and restarts Redis.
$workers = procs(8, 4);
$stop = microtime(true) + 3.0;
$pid = pcntl_fork();
if ($pid === 0) {
	fork_workers($workers, function (int $w) use ($dsn, $name, $log, $stop) {
		set_error_handler(fn() => true); // a lock dropped while Redis restarts warns at destruction
		$lock = new PayLock\Lock(new PayLock\RedisStore($dsn, ['read_timeout' => 0.5, 'connect_timeout' => 0.5]), $name, 5);
		$n = 0;
		while (microtime(true) < $stop) {
			try {
				if (!$lock->acquire(1.0)) {
					continue;
				}
				$f = fopen($log, 'a');
				flock($f, LOCK_EX);
				try {
					fwrite($f, $lock->fencingToken() . "\n");
					$n++;
				} catch (PayLock\LockLostException $e) {
					// the restart took the lock away before a token was issued
				}
				flock($f, LOCK_UN);
				fclose($f);
				$lock->release();
			} catch (PayLock\ConnectionException $e) {
				usleep(20000); // Redis is restarting
			}
		}
		return $n;
	});
	posix_kill(getmypid(), SIGKILL);
}
usleep(800000);
$redis->cmd(['FLUSHALL']);
usleep(800000);
$redis->restart();
pcntl_waitpid($pid, $status);

$tokens = array_map('intval', file($log, FILE_IGNORE_NEW_LINES));
$bad = 0;
for ($i = 1; $i < count($tokens); $i++) {
	if ($tokens[$i] <= $tokens[$i - 1]) {
		$bad++;
	}
}
echo count($tokens) > 20 ? "many tokens\n" : "too few tokens: " . count($tokens) . "\n";
echo "not increasing: $bad\n";
// Upgrade: tokens stay above an old per-prefix counter (p:fence), whatever it had counted to.
echo "above old global counter: ", yes($tokens[count($tokens) - 1] > 10 ** 12, 'last token ' . $tokens[count($tokens) - 1]), "\n";
?>
--EXPECT--
after FLUSHALL: above
many tokens
not increasing: 0
above old global counter: yes
