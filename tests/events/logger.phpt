--TEST--
setLogger(): a callable and a PSR-3 object receive each event once, with the documented fields (lock_lost, degraded, recovered, outcome_unknown, claim_crashed, lease_expired, eviction_risk, persistence_risk); the warnings they replace are not raised; null removes the logger; bad loggers are a TypeError
--EXTENSIONS--
paylock
posix
--INI--
pcre.jit=0
--FILE--
<?php
require_once __DIR__ . '/../_support/common.inc';
require_once __DIR__ . '/../_support/redis_server.inc';

$events = [];
$logger = function (string $level, string $message, array $context) use (&$events) {
	$events[] = [$level, $message, $context];
};
/* Prints the events since the last call: name, level, the sorted context keys and the chosen values. */
function show(array &$events, array $values = []): void
{
	foreach ($events as [$level, $message, $ctx]) {
		$keys = array_keys($ctx);
		sort($keys);
		$v = array_map(fn($k) => "$k=" . $ctx[$k], array_intersect($values, $keys));
		echo "  $ctx[event] [$level] (", implode(',', $keys), ') ', implode(' ', $v),
			$ctx['pid'] === getmypid() && $message !== '' ? '' : ' BAD pid/message', "\n";
	}
	if ($events === []) {
		echo "  (none)\n";
	}
	$events = [];
}
// PayLock's own warnings would show here (the harness' probes for a starting redis-server do not count).
set_error_handler(function ($n, $s) { str_starts_with($s, 'stream_socket_client') || print("  warning raised: $s\n"); return true; });
PayLock\setLogger($logger);
$dir = lock_dir();
$files = new PayLock\FileStore($dir);

echo "lock lost:\n";
$name = uniq('lost');
$l = new PayLock\Lock(redis_store(), $name, 0.1);
$l->acquireOrFail();
usleep(300000);
echo '  release: ', var_export($l->release(), true), "\n";
$seen = $events[0][2]['name'] ?? null;
show($events, ['names', 'store']);
echo '  the lock\'s name: ', yes($seen === $name, (string)$seen), "\n";

echo "degraded, then recovered:\n";
$redis = new PrivateRedis(['--maxmemory-policy', 'noeviction', '--save', '3600 1']);
$fb = new PayLock\FallbackStore(new PayLock\RedisStore($redis->dsn(), ['connect_timeout' => 0.5]), $files);
$redis->stop();
$d = new PayLock\Lock($fb, uniq('fb'));
$d->acquireOrFail();
$d->release();
show($events, ['store']);
$redis->start();
$d->acquireOrFail();
$d->release();
show($events, ['store']);

echo "outcome unknown (unknown_on):\n";
$g = new PayLock\IdempotencyGuard(redis_store());
$key = uniq('pay');
try {
	$g->run($key, fn() => throw new RuntimeException('gateway timeout'), null, 0.0, ['unknown_on' => [RuntimeException::class]]);
} catch (RuntimeException $e) {
	echo '  run threw: ', $e->getMessage(), "\n";
}
show($events, ['reason', 'store']);
echo "outcome unknown (markUnknown):\n";
$c = $g->begin($key2 = uniq('pay'));
$c->markUnknown();
show($events, ['reason', 'store']);

echo "claim crashed (found by a later claim), then lease expired:\n";
$short = new PayLock\IdempotencyGuard(redis_store(), ['in_progress_ttl' => 0.1]);
$key3 = uniq('pay');
$c = $short->begin($key3);
usleep(300000);
try {
	(new PayLock\IdempotencyGuard(redis_store(), ['after_crash' => 'throw']))->begin($key3);
} catch (PayLock\OutcomeUnknownException $e) {
	echo "  OutcomeUnknownException\n";
}
show($events, ['detected', 'store']);
$other = (new PayLock\IdempotencyGuard(redis_store()))->begin($key3); // after_crash rerun: takes it over
try {
	$c->complete('late');
} catch (PayLock\LockLostException $e) {
	echo "  LockLostException\n";
}
show($events, ['store']);
$other->complete('ok');

echo "eviction and persistence risks:\n";
$risky = new PrivateRedis(['--maxmemory', '64mb', '--maxmemory-policy', 'allkeys-lru']);
(new PayLock\IdempotencyGuard(new PayLock\RedisStore($risky->dsn())))->run('k', fn() => 1);
show($events, ['detail', 'risk']);

echo "a PSR-3 object (its log() wins over __invoke):\n";
PayLock\setLogger(new class($events) {
	public function __construct(private array &$events) {}
	public function log($level, $message, array $context = []): void { $this->events[] = [$level, $message, $context + ['via' => 'log']]; }
	public function __invoke() { echo "  __invoke called\n"; }
});
$l = new PayLock\Lock(redis_store(), uniq('lost'), 0.1);
$l->acquireOrFail();
usleep(300000);
$l->release();
show($events, ['via']);

echo "null removes it:\n";
PayLock\setLogger(null);
$l->acquireOrFail();
usleep(300000);
$l->release();
show($events);

echo "bad loggers:\n";
foreach ([42, new stdClass, 'no_such_function'] as $bad) {
	try {
		PayLock\setLogger($bad);
	} catch (TypeError $e) {
		echo '  ', $e->getMessage(), "\n";
	}
}

echo "claim crashed (exit() mid-step, seen by its owner):\n";
$php = getenv('TEST_PHP_EXECUTABLE') ?: PHP_BINARY;
$ext = realpath(__DIR__ . '/../../modules/paylock.so');
$dsn = redis_dsn();
$code = 'PayLock\setLogger(function ($l, $m, $c) { echo "  $c[event] [$l] detected=$c[detected] attempt>0:", var_export($c["attempt"] > 0, true), "\n"; });'
	. '(new PayLock\IdempotencyGuard(new PayLock\RedisStore("' . $dsn . '")))->run("' . uniq('exit') . '", fn() => exit());';
echo shell_exec("$php -n -d extension=$ext -r " . escapeshellarg($code) . ' 2>&1');

echo "paylock.logger names a function (defined: it gets the events; not defined: the warnings stay):\n";
$dead = 'redis://127.0.0.1:' . redis_server_free_port();
$code = '$fb = new PayLock\FallbackStore(new PayLock\RedisStore("' . $dead . '"), new PayLock\FileStore("' . $dir . '"));'
	. '(new PayLock\Lock($fb, "named"))->acquire(); echo "  acquired\n";';
$fn = 'function shop_paylock_log($l, $m, $c) { echo "  shop_paylock_log: $c[event] [$l]\n"; }';
foreach (['shop_paylock_log' => $fn, 'undefined_logger' => ''] as $name => $define) {
	echo preg_replace('/at \S+ on line \d+/', 'at ...', shell_exec("$php -n -d extension=$ext -d paylock.logger=$name -d display_errors=1 -d html_errors=0 -r "
		. escapeshellarg($define . $code) . ' 2>&1'));
}
?>
--EXPECTF--
lock lost:
  release: false
  lock_lost [error] (event,name,names,pid,store) names=1 store=redis
  the lock's name: yes
degraded, then recovered:
  degraded [warning] (event,pid,reason,store) store=fallback
  recovered [notice] (event,pid,redis,store) store=fallback
outcome unknown (unknown_on):
  run threw: gateway timeout
  outcome_unknown [error] (attempt,event,key,pid,reason,store) reason=marked store=redis
outcome unknown (markUnknown):
  outcome_unknown [error] (attempt,event,key,pid,reason,store) reason=marked store=redis
claim crashed (found by a later claim), then lease expired:
  OutcomeUnknownException
  claim_crashed [error] (attempt,detected,event,key,pid,store) detected=claim store=redis
  LockLostException
  lease_expired [error] (attempt,event,key,pid,store) store=redis
eviction and persistence risks:
  eviction_risk [warning] (detail,event,pid,redis,risk) detail=allkeys-lru risk=eviction
  persistence_risk [warning] (detail,event,pid,redis,risk) detail= risk=persistence
a PSR-3 object (its log() wins over __invoke):
  lock_lost [error] (event,name,names,pid,store,via) via=log
null removes it:
  (none)
bad loggers:
  PayLock\setLogger(): Argument #1 ($logger) must be a callable, an object with a public log($level, $message, array $context) method (PSR-3) or null, int given
  PayLock\setLogger(): Argument #1 ($logger) must be a callable, an object with a public log($level, $message, array $context) method (PSR-3) or null, stdClass given
  PayLock\setLogger(): Argument #1 ($logger) must be a callable, an object with a public log($level, $message, array $context) method (PSR-3) or null, string given
claim crashed (exit() mid-step, seen by its owner):
  claim_crashed [error] detected=owner attempt>0:true
paylock.logger names a function (defined: it gets the events; not defined: the warnings stay):
  shop_paylock_log: degraded [warning]
  acquired

Warning: PayLock\Lock::acquire(): Cannot connect to Redis at %s; FallbackStore continues on local file locks only (degraded) for this request in %s
  acquired
