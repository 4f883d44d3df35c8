--TEST--
ini paylock.on_redis_down: validated when set ("degrade" or "fail"), and defaultStore()'s FallbackStore follows it: degrade when Redis is down (or a write is not acknowledged by the replicas the DSN asks for), throw with "fail"
--EXTENSIONS--
paylock
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
use PayLock\{Lock, ConnectionException, ReplicationException};

echo 'default: ', ini_get('paylock.on_redis_down'), "\n";
set_error_handler(function ($no, $msg) { echo 'warning: ', $msg, "\n"; return true; });
var_dump(ini_set('paylock.on_redis_down', 'sometimes'));
restore_error_handler();
echo 'kept: ', ini_get('paylock.on_redis_down'), "\n";

ini_set('paylock.store', 'fallback');
ini_set('paylock.lock_dir', lock_dir());
$dead = 'redis://127.0.0.1:' . redis_server_free_port() . '?connect_timeout=0.2';
$short = (getenv('PAYLOCK_TEST_REDIS_PRIMARY') ?: redis_dsn()) . '?replicas=5';
foreach (['unreachable' => $dead, 'not acknowledged' => $short] as $what => $dsn) {
	ini_set('paylock.redis_dsn', $dsn);
	foreach (['degrade', 'fail'] as $mode) {
		ini_set('paylock.on_redis_down', $mode);
		$l = new Lock(PayLock\defaultStore(), uniq());
		set_error_handler(fn() => true);
		try {
			$got = $l->acquire();
			echo "$what, $mode: acquired ", var_export($got, true), ', degraded ', var_export($l->isDegraded(), true), "\n";
			$l->release();
		} catch (ConnectionException $e) {
			echo "$what, $mode: ", get_class($e), "\n";
		}
		restore_error_handler();
	}
}
?>
--EXPECT--
default: degrade
warning: ini_set(): paylock.on_redis_down must be "degrade" or "fail"
bool(false)
kept: degrade
unreachable, degrade: acquired true, degraded true
unreachable, fail: PayLock\ConnectionException
not acknowledged, degrade: acquired true, degraded true
not acknowledged, fail: PayLock\ReplicationException
