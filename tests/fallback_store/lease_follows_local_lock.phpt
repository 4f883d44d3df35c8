--TEST--
FallbackStore: a holder whose Redis lease ended does not block its own host longer than other hosts; a degraded holder is never bypassed; the Redis lock is never held twice
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
$redis = new PrivateRedis();
$dsn = $redis->dsn();
$dir = lock_dir();       // this host
$other = lock_dir();     // another host (its own lock dir, same Redis)
$name = uniq('order');
$fb = fn(string $d) => new PayLock\FallbackStore(new PayLock\RedisStore($dsn, ['connect_timeout' => 0.2]), new PayLock\FileStore($d));

// A holds with a 0.5 s lease and then "hangs" for 3 s without releasing.
$ready = tally_file();
$a = pcntl_fork();
if ($a === 0) {
	$l = new PayLock\Lock($fb($dir), $name, 0.5);
	$l->acquire();
	touch($ready);
	usleep(3000000);
	echo "A still holds it: ", var_export($l->isAcquired(), true), "\n";
	posix_kill(getmypid(), SIGKILL);
}
while (!file_exists($ready)) {
	usleep(5000);
}
[$here, $there] = fork_workers(2, function (int $i) use ($fb, $dir, $other, $name) {
	$l = new PayLock\Lock($fb($i === 0 ? $dir : $other), $name, 10);
	$t = microtime(true);
	$ok = $l->acquire(2.5);
	$took = microtime(true) - $t;
	$who = $ok ? PayLock\holder(new PayLock\RedisStore(redis_dsn_of($l)), $name)['pid'] ?? null : null;
	$mine = $who === getmypid();
	if ($ok) {
		$l->release();
	}
	return [$ok, $took, $mine];
});
function redis_dsn_of($l) { global $dsn; return $dsn; }
printf("same host: %s after the lease (%s), Redis holder is me: %s\n", $here[0] ? 'acquired' : 'TIMED OUT',
	$here[1] < 2.2 ? 'not blocked by the local holder' : sprintf('blocked %.2f s', $here[1]), var_export($here[2], true));
printf("other host: %s (%s)\n", $there[0] ? 'acquired' : 'TIMED OUT', $there[1] < 2.2 ? 'in time' : 'late');
pcntl_waitpid($a, $st);

// A degraded holder (Redis was down when it took the lock) is never bypassed, even once Redis is back.
$redis->stop();
@unlink($ready);
$a = pcntl_fork();
if ($a === 0) {
	set_error_handler(fn() => true);
	$l = new PayLock\Lock($fb($dir), $name, 0.3);
	$l->acquire();
	echo "A degraded: ", var_export($l->isDegraded(), true), "\n";
	touch($ready);
	for ($i = 0; $i < 1000 && !file_exists("$ready.done"); $i++) {
		usleep(10000);
	}
	$l->release();
	posix_kill(getmypid(), SIGKILL);
}
while (!file_exists($ready)) {
	usleep(5000);
}
$redis->start();
$l = new PayLock\Lock($fb($dir), $name, 10);
var_dump($l->acquire(0.8));  // A still holds the local lock: no bypass
touch("$ready.done");
var_dump($l->acquire(5.0), $l->isDegraded());
pcntl_waitpid($a, $st);
$l->release();

// The local holder's lease ended and then Redis went away: the local lock is busy, Redis cannot be
// asked, so a same-host acquire is busy (false after its wait, not a ConnectionException, no spinning).
@unlink($ready);
@unlink("$ready.done");
$a = pcntl_fork();
if ($a === 0) {
	$l = new PayLock\Lock($fb($dir), $name, 0.3);
	$l->acquire();
	touch($ready);
	for ($i = 0; $i < 1000 && !file_exists("$ready.done"); $i++) {
		usleep(10000);
	}
	posix_kill(getmypid(), SIGKILL);
}
while (!file_exists($ready)) {
	usleep(5000);
}
usleep(400000);
$redis->stop();
$l = new PayLock\Lock($fb($dir), $name, 10);
$cpu = getrusage();
$t = microtime(true);
var_dump($l->acquire(), $l->acquire(0.6));
$took = microtime(true) - $t;
$used = getrusage();
$cpu_s = ($used['ru_utime.tv_sec'] + $used['ru_stime.tv_sec'] - $cpu['ru_utime.tv_sec'] - $cpu['ru_stime.tv_sec'])
	+ ($used['ru_utime.tv_usec'] + $used['ru_stime.tv_usec'] - $cpu['ru_utime.tv_usec'] - $cpu['ru_stime.tv_usec']) / 1e6;
echo $took >= 0.55 ? "waited its deadline" : "returned early ($took s)", ", ", $cpu_s < 0.4 * $took ? "without spinning" : "SPINNING ($cpu_s s CPU)", "\n";
touch("$ready.done");
pcntl_waitpid($a, $st);
?>
--EXPECT--
same host: acquired after the lease (not blocked by the local holder), Redis holder is me: true
other host: acquired (in time)
A still holds it: false
A degraded: true
bool(false)
bool(true)
bool(false)
bool(false)
bool(false)
waited its deadline, without spinning
