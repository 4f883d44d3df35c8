--TEST--
Fairness (Redis): a one-trip grant whose waiter was between two BLPOPs, then taken back by Admin::forceRelease() and handed to the next waiter, leaves a wake-up in the first waiter's list; when that waiter queues again, it must not read the old wake-up as a grant (no two holders)
--EXTENSIONS--
paylock
pcntl
posix
--INI--
pcre.jit=0
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
require_once __DIR__ . '/../_support/redis_server.inc';
require_once __DIR__ . '/../_support/admin.inc';
require_once __DIR__ . '/../_support/lua_scripts.inc';

// A private server: the waiters' BLPOPs are the only ones in CLIENT LIST. The first holder is the
// scripts themselves with a long GRANT_MS, so the stale wake-up outlives any slow step below.
$r = new PrivateRedis();
$port = $r->port;
$dsn = $r->dsn();
$name = 'stale';
const LONG_GRANT_MS = 60000;
$t = str_repeat('b', 32);
$eval = fn(string $script, array $keys, array $args) => lua_eval($script, $keys, $args, $port);
$admin = new PayLock\Admin(new PayLock\RedisStore($dsn));

/** The ids of the clients blocked in BLPOP, oldest connection first. */
function blocked_clients(int $port): array
{
	preg_match_all('/^id=(\d+) .*cmd=blpop/m', (string)redis_raw(['CLIENT', 'LIST'], $port), $m);
	$ids = array_map('intval', $m[1]);
	sort($ids);
	return $ids;
}

/** A waiter that holds the lock 300 ms and counts who else is inside meanwhile. */
$waiter = fn() => spawn(function () use ($dsn, $name, $port) {
	$l = new PayLock\Lock(new PayLock\RedisStore($dsn), $name, ttl: 30);
	$got = $l->acquire(wait: 20.0);
	$inside = redis_raw(['INCR', 'inside'], $port);
	usleep(300000);
	redis_raw(['DECR', 'inside'], $port);
	$l->release();
	return ['got' => $got, 'inside' => $inside];
});

echo 'held: ', json_encode($eval('ACQUIRE', name_keys('paylock:', $name, $t), ["$t:1:0:test", 30000, 0, 1000, LONG_GRANT_MS])), "\n";
$first = $waiter();
echo 'first queued: ', yes(wait_until(fn() => count($admin->queue($name)) === 1 && count(blocked_clients($port)) === 1, 20.0), json_encode($admin->queue($name))), "\n";
$second = $waiter();
echo 'second queued behind it: ', yes(wait_until(fn() => count($admin->queue($name)) === 2 && count(blocked_clients($port)) === 2, 20.0), json_encode($admin->queue($name))), "\n";

// The first waiter (the older connection) is stopped with its BLPOP answered as if it timed out, then
// the release grants it the lock while nobody listens on its wake-up list; Admin takes the lock back
// and hands it to the second waiter, which is blocked and takes it at once.
$unblocked = false;
try {
	for ($try = 0; $try < 20 && !$unblocked; $try++) {
		wait_until(fn() => count(blocked_clients($port)) === 2, 10.0);
		posix_kill($first[0], SIGSTOP);
		$ids = blocked_clients($port);
		$unblocked = count($ids) === 2 && redis_raw(['CLIENT', 'UNBLOCK', (string)$ids[0], 'TIMEOUT'], $port) === 1;
		if (!$unblocked) {
			posix_kill($first[0], SIGCONT);
		}
	}
	echo 'first stopped with its BLPOP timed out: ', yes($unblocked, "$try tries"), "\n";
	$head = $eval('RELEASE', name_keys('paylock:', $name, $t), [$t, 5000, '', '', LONG_GRANT_MS]);
	$released = is_array($head) && $head[0] === -1
		? $eval('RELEASE', name_keys('paylock:', $name, $t, $head[2]), [$t, 5000, '', '', LONG_GRANT_MS]) : $head;
	echo 'released: ', json_encode($released), "\n";
	$v = (string)redis_raw(['GET', "paylock:{{$name}}"], $port);
	echo 'granted to the stopped waiter: ', yes(str_contains($v, ':' . $first[0] . ':'), $v), "\n";
	$forced = $admin->forceRelease($name);
	echo 'forced from it: ', same($forced['pid'] ?? null, $first[0]), "\n";
	echo 'the second holds: ', yes(wait_until(fn() => (PayLock\holder(new PayLock\RedisStore($dsn), $name)['pid'] ?? null) === $second[0], 10.0), json_encode(PayLock\holder(new PayLock\RedisStore($dsn), $name))), "\n";
} finally {
	posix_kill($first[0], SIGCONT);
}
$a = reap($first);
$b = reap($second);
echo 'both got the lock, one at a time: ', json_encode([$a, $b]), "\n";
?>
--EXPECT--
held: [1]
first queued: yes
second queued behind it: yes
first stopped with its BLPOP timed out: yes
released: 1
granted to the stopped waiter: yes
forced from it: true
the second holds: yes
both got the lock, one at a time: [{"got":true,"inside":1},{"got":true,"inside":1}]
