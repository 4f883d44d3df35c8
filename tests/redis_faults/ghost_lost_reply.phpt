--TEST--
Redis faults: an acquire whose reply is lost (read timeout, or a connection cut before the reply) leaves no ghost lock: RedisStore, MultiLock and FallbackStore free the name before reporting the failure
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/faults.inc';
$r = fault_redis();
$p = fault_proxy($r['port']);
$dsn = "redis://127.0.0.1:{$p['port']}";
$opts = ['read_timeout' => 0.3, 'connect_timeout' => 0.3];

function outcome(callable $fn): string
{
	try {
		return var_export($fn(), true);
	} catch (PayLock\Exception $e) {
		return get_class($e);
	}
}

function ghosts(array $r, array $names): string
{
	$left = [];
	foreach ($names as $n) {
		if (fault_raw($r, ['EXISTS', fault_lock_key($n)]) === 1) {
			$left[] = sprintf('%s (%d ms left)', $n, fault_raw($r, ['PTTL', fault_lock_key($n)]));
		}
	}
	return $left ? 'ghost: ' . implode(', ', $left) : 'no ghost';
}

// Read timeout: SET NX ran, its reply never came.
$store = new PayLock\RedisStore($dsn, $opts);
$store->ping();
fault_proxy_arm($p, 'drop', "\r\nNX\r\n");
$lock = new PayLock\Lock($store, 'a', 6);
echo "SET NX reply dropped: ", outcome(fn() => $lock->acquire()), ", ", ghosts($r, ['a']), "\n";

// The first command of a fresh connection is cut off after Redis ran it (no silent resend there).
$fresh = new PayLock\RedisStore($dsn, $opts + ['persistent' => false]);
fault_proxy_arm($p, 'cut', "\r\nNX\r\n");
$lock = new PayLock\Lock($fresh, 'b', 6);
echo "SET NX cut on a fresh connection: ", outcome(fn() => $lock->acquire()), ", ", ghosts($r, ['b']), "\n";

// MultiLock: the acquire script ran, its reply was lost.
$m = new PayLock\MultiLock($store, ['c1', 'c2'], 6);
$m->acquire();
$m->release();
fault_proxy_arm($p, 'drop', 'EVALSHA');
echo "MultiLock script reply dropped: ", outcome(fn() => $m->acquire()), ", ", ghosts($r, ['c1', 'c2']), "\n";

// A waiter: the holder is someone else, the waiter's queueing script reply is lost and Redis then
// stays away from this client until the deadline: no queue entry, grant or hold is left behind.
$holder = new PayLock\Lock(new PayLock\RedisStore("redis://127.0.0.1:{$r['port']}"), 'd', 6);
$holder->acquire();
$w = new PayLock\Lock($store, 'd', 6);
fault_proxy_arm($p, 'drop', 'EVALSHA');
echo "waiter's script reply dropped: ", outcome(fn() => $w->acquire(0.2)), "; ";
$holder->release();
echo ghosts($r, ['d']), ", queue keys: ", fault_raw($r, ['EXISTS', fault_lock_key('d') . ':q', fault_lock_key('d') . ':w']), "\n";

// FallbackStore: degraded to the local lock, and Redis is not left holding the name.
$fb = new PayLock\FallbackStore($store, new PayLock\FileStore(lock_dir()));
$lock = new PayLock\Lock($fb, 'e', 6);
fault_proxy_arm($p, 'drop', "\r\nNX\r\n");
echo "FallbackStore, SET NX reply dropped: ", outcome(fn() => @$lock->acquire()), ", degraded: ",
	var_export($lock->isDegraded(), true), ", ", ghosts($r, ['e']), "\n";
$lock->release();
echo "replies lost by the proxy: ", fault_proxy_fired($p), "\n";

// Redis answering again: the names are free for everyone.
$other = new PayLock\RedisStore("redis://127.0.0.1:{$r['port']}");
foreach (['a', 'b', 'c1', 'd', 'e'] as $n) {
	$l = new PayLock\Lock($other, $n);
	echo $n, ": ", var_export($l->acquire(), true), " ";
	$l->release();
}
echo "\n";
fault_proxy_stop($p);
fault_redis_stop($r);
?>
--EXPECT--
SET NX reply dropped: PayLock\ConnectionException, no ghost
SET NX cut on a fresh connection: PayLock\ConnectionException, no ghost
MultiLock script reply dropped: PayLock\ConnectionException, no ghost
waiter's script reply dropped: PayLock\ConnectionException; no ghost, queue keys: 0
FallbackStore, SET NX reply dropped: true, degraded: true, no ghost
replies lost by the proxy: 5
a: true b: true c1: true d: true e: true
