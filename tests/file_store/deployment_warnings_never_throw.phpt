--TEST--
Warnings about the deployment (another user's default lock dir, Redis eviction policy, no persistence) never fail a request under an error handler that turns warnings into exceptions: the handler sees them, its exception is dropped, and the message goes to the error log
--EXTENSIONS--
paylock
posix
--SKIPIF--
<?php
require __DIR__ . '/../_support/skipif.inc';
require __DIR__ . '/multiuser.inc';
mu_skipif();
?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
require_once __DIR__ . '/../_support/redis_server.inc';
require __DIR__ . '/multiuser.inc';
$redis = new PrivateRedis(['--maxmemory', '64mb', '--maxmemory-policy', 'volatile-lru']); // and no persistence
$tmp = lock_dir();
mkdir($tmp);
chmod($tmp, 01777);
mkdir("$tmp/paylock-0", 0700); // root's cron came first
$log = "$tmp/php-error.log";
touch($log);
chmod($log, 0666);
$ini = ['sys_temp_dir' => $tmp, 'error_log' => $log, 'log_errors' => '1'];
$code = <<<PHP
\$seen = [];
set_error_handler(function (\$n, \$s) use (&\$seen) { \$seen[] = \$s; throw new ErrorException(\$s, 0, \$n); });
\$files = new PayLock\FileStore();
echo 'files: ', (new PayLock\IdempotencyGuard(\$files))->run('order-1', fn() => 'paid'), "\\n";
\$redis = new PayLock\RedisStore('{$redis->dsn()}');
echo 'redis: ', (new PayLock\IdempotencyGuard(\$redis))->run('order-2', fn() => 'paid'), "\\n";
\$l = new PayLock\Lock(\$redis, 'order-3');
echo 'lock: ', var_export(\$l->acquire(), true), ', ', var_export(\$l->release(), true), "\\n";
echo 'the handler saw: ', count(\$seen), " warnings\\n";
PHP;
echo run_as(MU_WWW, $code, [], $ini);
$logged = file_get_contents($log);
foreach (['belongs to uid 0' => 'split lock dirs', 'maxmemory-policy volatile-lru' => 'eviction policy',
		'keeps no data across a restart' => 'no persistence'] as $needle => $what) {
	echo "$what in the error log: ", str_contains($logged, $needle) ? 'yes' : "no (log: $logged)", "\n";
}
?>
--ENV--
PAYLOCK_EXT_PATH={PWD}/../../modules/paylock.so
--EXPECT--
files: paid
redis: paid
lock: true, true
the handler saw: 3 warnings
split lock dirs in the error log: yes
eviction policy in the error log: yes
no persistence in the error log: yes
