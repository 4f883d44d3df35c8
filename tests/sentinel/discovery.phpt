--TEST--
Sentinel: discovery finds the master; locks, fencing, holder() and idempotency work; an unknown master name (every Sentinel answers nil) is a StoreException that FallbackStore does not degrade on, a Sentinel that names a replica (ROLE check) a ConnectionException
--EXTENSIONS--
paylock
pcntl
posix
--INI--
pcre.jit=0
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif_sentinel.inc'; ?>
--CONFLICTS--
sentinel
--FILE--
<?php
require __DIR__ . '/../_support/cluster.inc';
$master = sentinel_master_port();
$store = new PayLock\RedisStore(sentinel_dsn());
echo "ping: ", same($store->ping(), true), "\n";
$name = uniq('s');
$lock = new PayLock\Lock($store, $name, 10);
echo "lock: ", same($lock->acquire(), true), " ", yes($lock->fencingToken() > 0, 'no token'), "\n";
echo "on the master: ", yes(is_string(redis_raw(['GET', "paylock:{{$name}}"], $master)), "not on $master"), "\n";
echo "holder: ", same(PayLock\holder($store, $name)['pid'] ?? null, getmypid()), "\n";
echo "release: ", same($lock->release(), true), "\n";
$g = new PayLock\IdempotencyGuard($store);
$runs = 0;
$a = $g->run($name, function () use (&$runs) { $runs++; return 'paid'; });
$b = $g->run($name, function () use (&$runs) { $runs++; return 'twice'; });
echo "idempotency: ", same([$a, $b, $runs], ['paid', 'paid', 1]), "\n";
ob_start(); phpinfo(INFO_MODULES); $info = ob_get_clean();
echo "php --ri names the master: ", yes(str_contains($info, "Redis Sentinel master => 127.0.0.1:$master"), $info), "\n";
$typo = new PayLock\RedisStore('redis+sentinel://' . getenv('PAYLOCK_TEST_REDIS_SENTINEL') . '/nosuchmaster');
try {
	$typo->ping();
	echo "unknown master: no error\n";
} catch (PayLock\ConnectionException $e) {
	echo "unknown master: ConnectionException (an outage, WRONG): ", $e->getMessage(), "\n";
} catch (PayLock\StoreException $e) {
	echo "unknown master: StoreException ", yes(str_contains($e->getMessage(), 'no Sentinel knows a master named "nosuchmaster"'), $e->getMessage()), "\n";
}
$l = new PayLock\Lock(new PayLock\FallbackStore($typo, new PayLock\FileStore(lock_dir())), uniq(), 5);
try {
	@$l->acquire();
	echo "FallbackStore over an unknown master: degraded (WRONG)\n";
} catch (PayLock\StoreException $e) {
	echo "FallbackStore over an unknown master: throws StoreException\n";
}
// a Sentinel with a wrong view names the replica: ROLE says slave, the next Sentinel is asked
$replica = $master === (int)getenv('PAYLOCK_TEST_SENTINEL_PRIMARY_PORT') ? (int)getenv('PAYLOCK_TEST_SENTINEL_REPLICA_PORT') : (int)getenv('PAYLOCK_TEST_SENTINEL_PRIMARY_PORT');
[$fake, $fakepid] = fake_sentinel($replica);
try {
	(new PayLock\RedisStore("redis+sentinel://127.0.0.1:$fake/mymaster"))->ping();
	echo "only a lying Sentinel: no error\n";
} catch (PayLock\ConnectionException $e) {
	echo "only a lying Sentinel: ", yes(str_contains($e->getMessage(), 'ROLE there is not master'), $e->getMessage()), "\n";
}
$s = new PayLock\RedisStore("redis+sentinel://127.0.0.1:$fake," . getenv('PAYLOCK_TEST_REDIS_SENTINEL') . '/mymaster', ['prefix' => 'other:']);
$l = new PayLock\Lock($s, $name, 5);
echo "lying Sentinel first, then a true one: ", same($l->acquire(), true), " ", yes(is_string(redis_raw(['GET', "other:{{$name}}"], $master)), 'not on the master'), " ", same($l->release(), true), "\n";
posix_kill($fakepid, SIGKILL);
pcntl_waitpid($fakepid, $st);
try {
	new PayLock\RedisStore('redis+sentinel://127.0.0.1:1');
	echo "no master name: accepted\n";
} catch (ValueError $e) {
	echo "no master name: ", yes(str_contains($e->getMessage(), 'master name is missing'), $e->getMessage()), "\n";
}
try {
	new PayLock\RedisStore('redis+cluster://127.0.0.1:1/3');
	echo "cluster db: accepted\n";
} catch (ValueError $e) {
	echo "cluster db: ", yes(str_contains($e->getMessage(), 'database 0 only'), $e->getMessage()), "\n";
}
?>
--EXPECT--
ping: true
lock: true yes
on the master: yes
holder: true
release: true
idempotency: true
php --ri names the master: yes
unknown master: StoreException yes
FallbackStore over an unknown master: throws StoreException
only a lying Sentinel: yes
lying Sentinel first, then a true one: true yes true
no master name: yes
cluster db: yes
