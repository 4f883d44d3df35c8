--TEST--
defaultStore(): ini paylock.store picks FallbackStore (default), RedisStore or FileStore, built from the other settings
--EXTENSIONS--
paylock
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
ini_set('paylock.redis_dsn', redis_dsn());
foreach (['fallback', 'redis', 'file'] as $kind) {
	ini_set('paylock.store', $kind);
	$s = PayLock\defaultStore();
	$l = new PayLock\Lock($s, $n = uniq());
	echo $kind, ': ', get_class($s), ' ', var_export($l->acquire(), true), ' ', PayLock\holder($s, $n)['store'], "\n";
	$l->release();
}
var_dump(ini_get('paylock.lock_dir'), (new PayLock\FileStore())->directory() === sys_get_temp_dir() . '/paylock-' . posix_geteuid());
?>
--EXPECT--
fallback: PayLock\FallbackStore true redis
redis: PayLock\RedisStore true redis
file: PayLock\FileStore true file
string(0) ""
bool(true)
