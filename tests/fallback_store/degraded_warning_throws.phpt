--TEST--
FallbackStore: a warning-to-exception error handler (Laravel, Symfony, PHPUnit) gets its exception from a degraded acquire() and no lock stays held
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
require_once __DIR__ . '/../_support/redis_server.inc';
$redis = new PrivateRedis();
$file = new PayLock\FileStore(lock_dir());
$fb = new PayLock\FallbackStore(new PayLock\RedisStore($redis->dsn(), ['connect_timeout' => 0.2]), $file);
$redis->stop();

set_error_handler(function (int $no, string $msg, string $f, int $line) {
	if (!(error_reporting() & $no)) {
		return true;
	}
	throw new ErrorException($msg, 0, $no, $f, $line);
});
$l = new PayLock\Lock($fb, 'order:9', 10);
try {
	$l->acquire();
	echo "acquired without an exception\n";
} catch (ErrorException $e) {
	echo "ErrorException: ", str_contains($e->getMessage(), 'degraded') ? 'degraded warning' : $e->getMessage(), "\n";
}
var_dump($l->isAcquired(), PayLock\holder($file, 'order:9'));
restore_error_handler();

// Without the throwing handler it degrades as before (already warned in this request), and Redis back
// gives one notice.
$warnings = [];
set_error_handler(function (int $no, string $msg) use (&$warnings) { if (!(error_reporting() & $no)) return true; $warnings[] = $no === E_NOTICE ? 'notice' : 'warning'; return true; });
$m = new PayLock\Lock($fb, 'order:9', 10);
var_dump($m->acquire(), $m->isDegraded(), $m->release());
$redis->start();
var_dump($m->acquire(), $m->isDegraded(), $m->release());
var_dump($m->acquire(), $m->release());
echo implode(',', $warnings), "\n";

// A throwing handler when Redis comes back (the notice): again no lock left behind.
$redis->stop();
var_dump($m->acquire(), $m->isDegraded(), $m->release());
$redis->start();
set_error_handler(function (int $no, string $msg, string $f, int $line) {
	if (!(error_reporting() & $no)) {
		return true;
	}
	throw new ErrorException($msg, 0, $no, $f, $line);
});
try {
	$m->acquire();
	echo "acquired without an exception\n";
} catch (ErrorException $e) {
	echo "ErrorException: ", str_contains($e->getMessage(), 'reachable again') ? 'back-on-Redis notice' : $e->getMessage(), "\n";
}
var_dump($m->isAcquired(), PayLock\holder($file, 'order:9'), PayLock\holder(new PayLock\RedisStore($redis->dsn()), 'order:9'));
?>
--EXPECT--
ErrorException: degraded warning
bool(false)
NULL
bool(true)
bool(true)
bool(true)
bool(true)
bool(false)
bool(true)
bool(true)
bool(true)
notice
bool(true)
bool(true)
bool(true)
ErrorException: back-on-Redis notice
bool(false)
NULL
NULL
