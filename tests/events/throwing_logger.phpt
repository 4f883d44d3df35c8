--TEST--
setLogger(): a logger that throws never breaks the operation (release, a degraded acquire, run() with an unknown outcome keep their own results and exceptions); its exception goes to the error log; an event the logger itself causes is not delivered to it again
--EXTENSIONS--
paylock
--FILE--
<?php
require_once __DIR__ . '/../_support/common.inc';
require_once __DIR__ . '/../_support/redis_server.inc';

$log = (getenv('PAYLOCK_TEST_TMP') ?: sys_get_temp_dir()) . '/' . uniq('errlog') . '.log';
ini_set('log_errors', '1');
ini_set('error_log', $log);
$calls = 0;
PayLock\setLogger(function ($level, $message, $context) use (&$calls) {
	$calls++;
	throw new LogicException("logger down ($context[event])");
});

$l = new PayLock\Lock(redis_store(), uniq('lost'), 0.1);
$l->acquireOrFail();
usleep(300000);
echo 'release of a lost lock: ', var_export($l->release(), true), "\n";

$dead = 'redis://127.0.0.1:' . redis_server_free_port();
$fb = new PayLock\FallbackStore(new PayLock\RedisStore($dead, ['connect_timeout' => 0.2]), new PayLock\FileStore(lock_dir()));
$d = new PayLock\Lock($fb, uniq('fb'));
// The event was not delivered: the warning is raised as without a logger.
$ok = @$d->acquire();
echo 'degraded acquire: ', var_export($ok, true), ', degraded: ', var_export($d->isDegraded(), true), ', warning: ',
	error_get_last()['message'] ?? 'none', "\n";
$d->release();

$g = new PayLock\IdempotencyGuard(redis_store());
try {
	$g->run(uniq('pay'), fn() => throw new RuntimeException('gateway timeout'), null, 0.0, ['unknown_on' => [RuntimeException::class]]);
} catch (Throwable $e) {
	echo 'run threw: ', get_class($e), ': ', $e->getMessage(), ', previous: ', var_export($e->getPrevious(), true), "\n";
}
echo 'logger calls: ', $calls, "\n";

// A logger that causes an event itself (it loses a lock) is not called again for it.
$depth = 0;
$max = 0;
PayLock\setLogger(function ($level, $message, $context) use (&$depth, &$max) {
	$max = max($max, ++$depth);
	$inner = new PayLock\Lock(redis_store(), uniq('inner'), 0.05);
	$inner->acquireOrFail();
	usleep(120000);
	$inner->release(); // lost: an event inside the logger
	$depth--;
});
$l->acquireOrFail();
usleep(300000);
$l->release();
echo 'deepest logger call: ', $max, "\n";

$text = file_get_contents($log);
echo 'error log: ', yes(substr_count($text, 'PayLock: the logger threw LogicException') === 3, $text), "\n";
foreach (['lock_lost', 'degraded', 'outcome_unknown'] as $ev) {
	echo "  $ev: ", yes(str_contains($text, "(logger down ($ev)) on event \"$ev\""), $text), "\n";
}
unlink($log);
?>
--EXPECTF--
release of a lost lock: false
degraded acquire: true, degraded: true, warning: PayLock\Lock::acquire(): Cannot connect to Redis at %s: Connection refused; FallbackStore continues on local file locks only (degraded) for this request
run threw: RuntimeException: gateway timeout, previous: NULL
logger calls: 3
deepest logger call: 1
error log: yes
  lock_lost: yes
  degraded: yes
  outcome_unknown: yes
