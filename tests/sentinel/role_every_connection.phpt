--TEST--
Sentinel: ROLE is checked on every new connection to the discovered master, not only at discovery: a pooled reconnect that lands on a node demoted since (a writable replica) re-discovers and never writes there; when the Sentinel names the new master, the next call succeeds on it
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/cluster.inc';
require_once __DIR__ . '/../_support/redis_server.inc';
// Two private servers (the shared Sentinel topology stays untouched): A is the master the fake Sentinel
// names; B becomes the master after A is demoted.
$a = new PrivateRedis();
$b = new PrivateRedis();
$file = getenv('PAYLOCK_TEST_TMP') . '/role_every_connection.' . getmypid();
file_put_contents($file, (string)$a->port);
[$fake, $fakepid] = fake_sentinel($a->port, $file);
$store = new PayLock\RedisStore("redis+sentinel://127.0.0.1:$fake/mymaster", ['read_timeout' => 2]);
$first = uniq('r');
$lock = new PayLock\Lock($store, $first, 10);
echo "on A: ", same($lock->acquire(), true), " ", yes(is_string(redis_raw(['GET', "paylock:{{$first}}"], $a->port)), 'not on A'), " ", same($lock->release(), true), "\n";

// A is demoted to a replica that still accepts writes (replica-read-only no: the worst case, a write
// there is acknowledged and then lost), and our pooled connection is cut: the next call reconnects.
redis_raw(['CONFIG', 'SET', 'replica-read-only', 'no'], $a->port);
redis_raw(['REPLICAOF', '127.0.0.1', (string)$b->port], $a->port);
$killed = redis_raw(['CLIENT', 'KILL', 'TYPE', 'normal'], $a->port);
echo "cut our connection: ", yes($killed >= 1, "killed $killed"), "\n";

$second = uniq('r');
$t = microtime(true);
try {
	$got = (new PayLock\Lock($store, $second, 10))->acquire();
	echo "on the demoted A: acquire returned ", var_export($got, true), " (WRONG: written to a replica)\n";
} catch (PayLock\ConnectionException $e) {
	echo "on the demoted A: ConnectionException ", yes(str_contains($e->getMessage(), 'not master') || str_contains($e->getMessage(), 'no longer the master'), $e->getMessage()), "\n";
}
$took = microtime(true) - $t;
echo "within its bound: ", yes($took < 5, sprintf('%.2f s', $took)), "\n";
echo "nothing written on A: ", same(redis_raw(['EXISTS', "paylock:{{$second}}"], $a->port), 0), "\n";

// A read path too: holder() must not read a (stale) replica.
try {
	PayLock\holder($store, $first);
	echo "holder() on the demoted A: answered (WRONG: read a replica)\n";
} catch (PayLock\ConnectionException $e) {
	echo "holder() on the demoted A: ConnectionException\n";
}

// The Sentinel now names B: the next call discovers it and succeeds there.
file_put_contents($file, (string)$b->port);
$lock = new PayLock\Lock($store, $second, 10);
echo "on B: ", same($lock->acquire(), true), " ", yes(is_string(redis_raw(['GET', "paylock:{{$second}}"], $b->port)), 'not on B'), " ", same($lock->release(), true), "\n";

posix_kill($fakepid, SIGKILL);
pcntl_waitpid($fakepid, $st);
@unlink($file);
$a->stop();
$b->stop();
?>
--EXPECT--
on A: true yes true
cut our connection: yes
on the demoted A: ConnectionException yes
within its bound: yes
nothing written on A: true
holder() on the demoted A: ConnectionException
on B: true yes true
