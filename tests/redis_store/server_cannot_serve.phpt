--TEST--
RedisStore/FallbackStore: "cannot serve now" replies (max clients, READONLY replica, MASTERDOWN, BUSY script) are ConnectionException, so FallbackStore degrades
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
$degraded_warnings = 0;
set_error_handler(function ($no, $msg) use (&$degraded_warnings) {
	if (str_contains($msg, 'degraded')) {
		$degraded_warnings++;
	}
	return true;
});

function try_both(string $what, string $dsn): void
{
	$l = new PayLock\Lock(new PayLock\RedisStore($dsn, ['read_timeout' => 2]), uniq(), 10);
	try {
		$l->acquire();
		echo "$what: acquired\n";
	} catch (PayLock\Exception $e) {
		echo "$what: ", get_class($e), ": ", preg_replace('/\d+\.\d+\.\d+\.\d+:\d+/', 'HOST', $e->getMessage()), "\n";
	}
	$fb = new PayLock\Lock(new PayLock\FallbackStore(new PayLock\RedisStore($dsn, ['read_timeout' => 2]),
		new PayLock\FileStore(lock_dir())), uniq(), 10);
	try {
		$got = $fb->acquire() && $fb->isDegraded() ? "degraded" : "not degraded";
		echo "$what, FallbackStore: $got\n";
		$fb->release();
	} catch (PayLock\Exception $e) {
		echo "$what, FallbackStore: ", get_class($e), "\n";
	}
}

// Max clients: the server answers "-ERR max number of clients reached" and hangs up.
$full = new PrivateRedis(['--maxclients', '2']);
$held = $full->fill();
try_both('maxclients', $full->dsn());
$held = [];
$full->stop();

// A replica refuses writes: READONLY (a failover left us on the old master).
$master = new PrivateRedis();
$replica = new PrivateRedis();
$replica->cmd(['REPLICAOF', '127.0.0.1', (string)$master->port]);
try_both('replica', $replica->dsn());

// A replica whose master is gone, told not to serve stale data: MASTERDOWN.
$orphan = new PrivateRedis(['--replica-serve-stale-data', 'no']);
$orphan->cmd(['REPLICAOF', '127.0.0.1', (string)$full->port]); // stopped above
try {
	PayLock\holder(new PayLock\RedisStore($orphan->dsn()), 'x');
	echo "orphaned replica: answered\n";
} catch (PayLock\Exception $e) {
	echo "orphaned replica, holder(): ", get_class($e), ": ", preg_replace('/\d+\.\d+\.\d+\.\d+:\d+/', 'HOST', $e->getMessage()), "\n";
}

// A script running past busy-reply-threshold: BUSY.
$busy = new PrivateRedis(['--lua-time-limit', '50']);
$hog = stream_socket_client("tcp://127.0.0.1:$busy->port");
$script = 'local i = 0 while true do i = i + 1 end';
fwrite($hog, "*3\r\n$4\r\nEVAL\r\n$" . strlen($script) . "\r\n$script\r\n$1\r\n0\r\n");
usleep(200000);
try_both('busy script', $busy->dsn());
$busy->cmd(['SCRIPT', 'KILL']);
echo "degraded warnings: ", $degraded_warnings > 0 ? "yes" : "none", "\n";
?>
--EXPECTF--
maxclients: PayLock\ConnectionException: Redis at HOST answered: ERR max number of clients reached
maxclients, FallbackStore: degraded
replica: PayLock\ConnectionException: Redis at HOST answered: READONLY You can't write against a read only replica.
replica, FallbackStore: degraded
orphaned replica, holder(): PayLock\ConnectionException: Redis at HOST answered: MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.
busy script: PayLock\ConnectionException: Redis at HOST answered: BUSY Redis is busy running a script.%s
busy script, FallbackStore: degraded
degraded warnings: yes
