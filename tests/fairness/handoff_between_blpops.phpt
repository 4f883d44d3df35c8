--TEST--
Fairness (Redis): a release that lands while its waiter is between two BLPOPs (its last one timed out, the next heartbeat not yet sent) is still a hand-off: the waiter's next acquire call takes the grant, and stats()['handoffs'] counts it
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

// A private server: the waiter's BLPOP is the only one in CLIENT LIST. The holder is the scripts
// themselves (the extension's own acquire and release), with a long GRANT_MS: the grant's wake-up list
// then outlives any slow step below, so the order alone decides the outcome.
$r = new PrivateRedis();
$port = $r->port;
$dsn = $r->dsn();
$name = 'between';
const LONG_GRANT_MS = 60000;
$t = str_repeat('a', 32);
$eval = fn(string $script, array $keys, array $args) => lua_eval($script, $keys, $args, $port);

/** The id of the client blocked in BLPOP, or null. */
function blocked_client(int $port): ?string
{
	return preg_match('/^id=(\d+) .*cmd=blpop/m', (string)redis_raw(['CLIENT', 'LIST'], $port), $m) ? $m[1] : null;
}

echo 'held: ', json_encode($eval('ACQUIRE', name_keys('paylock:', $name, $t), ["$t:1:0:test", 30000, 0, 1000, LONG_GRANT_MS])), "\n";
$w = spawn(function () use ($dsn, $name) {
	$l = new PayLock\Lock(new PayLock\RedisStore($dsn), $name, ttl: 30);
	$got = $l->acquire(wait: 20.0);
	$s = PayLock\stats();
	$l->release();
	return ['got' => $got, 'handoffs' => $s['handoffs'], 'contended' => $s['contended']];
});

// Stopped while blocked, its BLPOP answered as if it timed out (the nil waits in its socket), then the
// release: the grant is written while nobody listens on the waiter's wake-up list. A waiter stopped
// between two BLPOPs instead is let go and stopped again.
$unblocked = false;
try {
	for ($try = 0; $try < 20 && !$unblocked; $try++) {
		wait_until(fn() => blocked_client($port) !== null, 10.0);
		posix_kill($w[0], SIGSTOP);
		$id = blocked_client($port);
		$unblocked = $id !== null && redis_raw(['CLIENT', 'UNBLOCK', $id, 'TIMEOUT'], $port) === 1;
		if (!$unblocked) {
			posix_kill($w[0], SIGCONT);
		}
	}
	echo 'stopped with its BLPOP timed out: ', yes($unblocked, "$try tries"), "\n";
	$head = $eval('RELEASE', name_keys('paylock:', $name, $t), [$t, 5000, '', '', LONG_GRANT_MS]);
	$released = is_array($head) && $head[0] === -1
		? $eval('RELEASE', name_keys('paylock:', $name, $t, $head[2]), [$t, 5000, '', '', LONG_GRANT_MS]) : $head;
	echo 'released: ', json_encode($released), "\n";
	$v = (string)redis_raw(['GET', "paylock:{{$name}}"], $port);
	echo 'granted to the stopped waiter: ', yes(str_contains($v, ':' . $w[0] . ':'), $v), "\n";
	$lists = redis_raw(['KEYS', "paylock:{{$name}}:g:*"], $port); // a private server: KEYS is fine
	echo 'its wake-up waits in its list: ', yes(is_array($lists) && count($lists) === 1 && redis_raw(['LLEN', $lists[0]], $port) === 1, json_encode($lists)), "\n";
} finally {
	posix_kill($w[0], SIGCONT);
}
echo 'waiter: ', json_encode(reap($w)), "\n";
?>
--EXPECT--
held: [1]
stopped with its BLPOP timed out: yes
released: 1
granted to the stopped waiter: yes
its wake-up waits in its list: yes
waiter: {"got":true,"handoffs":1,"contended":1}
