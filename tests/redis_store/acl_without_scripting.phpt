--TEST--
RedisStore/FallbackStore: an ACL user without +@scripting is a configuration error (StoreException naming +@scripting) found before a lock is taken, not a ConnectionException at release
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--INI--
pcre.jit=0
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
require_once __DIR__ . '/../_support/redis_server.inc';
$redis = new PrivateRedis(['--user', 'shop', 'on', '>pw', '~*', '&*', '+@all', '-@scripting']);
$dsn = $redis->dsn('shop:pw');
$name = uniq();
$l = new PayLock\Lock(new PayLock\RedisStore($dsn), $name, 30);
try {
	var_dump($l->acquire());
	echo "acquired; release: ";
	var_dump($l->release());
} catch (PayLock\Exception $e) {
	echo get_class($e), ": ", preg_replace('/\d+\.\d+\.\d+\.\d+:\d+/', 'HOST', $e->getMessage()), "\n";
}
echo "lock key left in Redis: ", $redis->cmd(['EXISTS', "paylock:{{$name}}"]), "\n";

// FallbackStore does not degrade on it (the fix is in the ACL, not in waiting), and leaves no local lock.
$file = new PayLock\FileStore(lock_dir());
$fb = new PayLock\Lock(new PayLock\FallbackStore(new PayLock\RedisStore($dsn, ['prefix' => 'fb:']), $file), $name, 30);
try {
	$fb->acquire();
	echo "FallbackStore acquired, degraded: ", var_export($fb->isDegraded(), true), "\n";
} catch (PayLock\Exception $e) {
	echo "FallbackStore: ", get_class($e), "\n";
}
var_dump(PayLock\holder($file, $name));
?>
--EXPECTF--
PayLock\StoreException: Redis at HOST refused the ACL user shop the commands PayLock needs (NOPERM %s): a configuration error; grant it +@scripting (ACL SETUSER shop ...)
lock key left in Redis: 0
FallbackStore: PayLock\StoreException
NULL
