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

// A private server: the waiter's BLPOP is the only one in CLIENT LIST.
$r = new PrivateRedis();
$port = $r->port;
$dsn = $r->dsn();
$name = 'between';

/** The id of the client blocked in BLPOP, or null. */
function blocked_client(int $port): ?string
{
	return preg_match('/^id=(\d+) .*cmd=blpop/m', (string)redis_raw(['CLIENT', 'LIST'], $port), $m) ? $m[1] : null;
}

$holder = new PayLock\Lock(new PayLock\RedisStore($dsn), $name, ttl: 30);
echo 'held: ', same($holder->acquire(), true), "\n";
$w = spawn(function () use ($dsn, $name) {
	$l = new PayLock\Lock(new PayLock\RedisStore($dsn), $name, ttl: 30);
	$got = $l->acquire(wait: 20.0);
	$s = PayLock\stats();
	$l->release();
	return ['got' => $got, 'handoffs' => $s['handoffs'], 'contended' => $s['contended']];
});
echo 'waiter blocked: ', yes(wait_until(fn() => blocked_client($port) !== null, 10.0), 'no BLPOP in CLIENT LIST'), "\n";

// Stopped, its BLPOP answered as if it timed out (the nil waits in its socket), then the release: the
// grant is written while nobody listens on the waiter's wake-up list.
posix_kill($w[0], SIGSTOP);
redis_raw(['CLIENT', 'UNBLOCK', blocked_client($port), 'TIMEOUT'], $port);
echo 'released: ', same($holder->release(), true), "\n";
$h = PayLock\holder(new PayLock\RedisStore($dsn), $name);
echo 'granted to the stopped waiter: ', yes(($h['pid'] ?? null) === $w[0], json_encode($h)), "\n";
$lists = redis_raw(['KEYS', "paylock:{{$name}}:g:*"], $port); // a private server: KEYS is fine
echo 'its wake-up waits in its list: ', yes(count($lists) === 1 && redis_raw(['LLEN', $lists[0]], $port) === 1, json_encode($lists)), "\n";
posix_kill($w[0], SIGCONT);
$res = reap($w);
echo 'waiter: ', json_encode($res), "\n";
?>
--EXPECT--
held: true
waiter blocked: yes
released: true
granted to the stopped waiter: yes
its wake-up waits in its list: yes
waiter: {"got":true,"handoffs":1,"contended":1}
