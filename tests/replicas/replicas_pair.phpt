--TEST--
replicas: on the harness primary+replica, replicas => 1 / 'auto' grant and record as usual; asking for more replicas than acknowledge (2 of 1, or 1 on a server without replicas) fails cleanly within replica_timeout, gives the lock or claim back, and says how many acknowledged; FallbackStore degrades on it (on_redis_down 'fail' throws)
--EXTENSIONS--
paylock
--INI--
pcre.jit=0
--SKIPIF--
<?php
require __DIR__ . '/../_support/skipif.inc';
if (!getenv('PAYLOCK_TEST_REDIS_PRIMARY')) die('skip PAYLOCK_TEST_REDIS_PRIMARY not set (tests/run.sh starts a primary with a replica)');
?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
use PayLock\{RedisStore, FileStore, FallbackStore, Lock, IdempotencyGuard, ReplicationException};

$primary = getenv('PAYLOCK_TEST_REDIS_PRIMARY');
$pport = (int)parse_url($primary, PHP_URL_PORT);
$rport = (int)parse_url(getenv('PAYLOCK_TEST_REDIS_REPLICA'), PHP_URL_PORT);
$raw = fn(array $a, int $port) => redis_raw($a, $port);

// Healthy: every granting write is on the replica as soon as the call returns.
foreach ([1, 'auto'] as $want) {
	$s = new RedisStore($primary, ['replicas' => $want, 'replica_timeout' => 0.5, 'read_timeout' => 2.0, 'persistent' => false]);
	$l = new Lock($s, $n = uniq());
	$ok = $l->acquire();
	$on_replica = $raw(['GET', "paylock:{{$n}}"], $rport);
	$f = $l->fencingToken();
	$counter = $raw(['GET', "paylock:{{$n}}:fence"], $rport);
	echo "replicas=$want: acquired ", var_export($ok, true), ', lock on the replica ',
		yes(is_string($on_replica) && strlen($on_replica) > 32, var_export($on_replica, true)),
		', fence counter on the replica ', yes((int)$counter === $f, "$counter vs $f"), "\n";
	$l->release();
	$g = new IdempotencyGuard($s);
	$k = uniq('key');
	$r = $g->run($k, fn() => 'paid');
	$rec = $raw(['EXISTS', "paylock:idem:{{$k}}"], $rport);
	echo "replicas=$want: run ", $r, ', record on the replica ', yes($rec === 1, 'missing'), "\n";
}

// Two wanted, one there: the acquire fails within replica_timeout (+ Redis' 100 ms tick + slack).
$s = new RedisStore($primary, ['replicas' => 2, 'replica_timeout' => 0.1, 'persistent' => false]);
$l = new Lock($s, $n = uniq());
$t = microtime(true);
try {
	$l->acquire();
	echo "replicas=2: acquired (WRONG)\n";
} catch (ReplicationException $e) {
	$ms = (microtime(true) - $t) * 1000;
	echo 'replicas=2: ', get_class($e), ' is a ConnectionException: ', var_export($e instanceof PayLock\ConnectionException, true), "\n";
	echo preg_replace('/\d+\.\d+\.\d+\.\d+:\d+/', 'H:P', $e->getMessage()), "\n";
	echo 'within bounds: ', yes($ms >= 90 && $ms < 1500, sprintf('%.0f ms', $ms)), "\n";
}
echo 'lock given back: ', yes($raw(['EXISTS', "paylock:{{$n}}"], $pport) === 0, 'still there'),
	', not held: ', var_export($l->isAcquired(), true), "\n";
echo 'another store takes it: ', var_export((new Lock(new RedisStore($primary), $n))->acquire(), true), "\n";

// A claim that is not acknowledged is abandoned before the step runs.
$g = new IdempotencyGuard($s);
$k = uniq('key');
$ran = 0;
try {
	$g->run($k, function () use (&$ran) { $ran++; return 'x'; });
} catch (ReplicationException $e) {
	echo 'claim: ', preg_replace('/\d+\.\d+\.\d+\.\d+:\d+/', 'H:P', preg_replace('/idem\S+/', 'KEY', $e->getMessage())), "\n";
}
echo "step ran $ran times; ";
echo 'a retry without replicas runs it: ', (new IdempotencyGuard(new RedisStore($primary)))->run($k, function () use (&$ran) { $ran++; return 'y'; }), " (ran $ran)\n";

// A server without replicas: 1 wanted, 0 acknowledge; 'auto' waits for nobody.
$lone = redis_dsn();
try {
	(new Lock(new RedisStore($lone, ['replicas' => 1]), uniq()))->acquire();
	echo "lone replicas=1: acquired (WRONG)\n";
} catch (ReplicationException $e) {
	echo 'lone replicas=1: ', str_contains($e->getMessage(), 'acknowledged by 0 of 1 replica within 100 ms') ? 'acknowledged by 0 of 1' : $e->getMessage(), "\n";
}
$l = new Lock(new RedisStore($lone, ['replicas' => 'auto']), uniq());
echo "lone replicas=auto: ", var_export($l->acquire(), true), ' fence ', yes($l->fencingToken() > 0, 'no token'), "\n";
$l->release();

// FallbackStore: not acknowledged is an availability failure of Redis: degrade, or throw with 'fail'.
foreach (['degrade', 'fail'] as $mode) {
	$fb = new FallbackStore(new RedisStore($primary, ['replicas' => 2]), new FileStore(lock_dir()), ['on_redis_down' => $mode]);
	$l = new Lock($fb, uniq());
	set_error_handler(function ($no, $msg) { echo '  warning: ', str_contains($msg, 'acknowledged by 1 of 2') ? 'names the acknowledgements' : $msg, "\n"; return true; });
	try {
		$got = $l->acquire();
		echo "fallback $mode: ", var_export($got, true), ' degraded ', var_export($l->isDegraded(), true), "\n";
		$l->release();
	} catch (ReplicationException $e) {
		echo "fallback $mode: ReplicationException\n";
	}
	restore_error_handler();
}
?>
--EXPECTF--
replicas=1: acquired true, lock on the replica yes, fence counter on the replica yes
replicas=1: run paid, record on the replica yes
replicas=auto: acquired true, lock on the replica yes, fence counter on the replica yes
replicas=auto: run paid, record on the replica yes
replicas=2: PayLock\ReplicationException is a ConnectionException: true
Lock "%s" taken on Redis at H:P but acknowledged by 1 of 2 replicas within 100 ms; released, since a failover now could give it to another holder (check the replicas with INFO replication, or lower the replicas option)
within bounds: yes
lock given back: yes, not held: false
another store takes it: true
claim: Idempotency key %s was claimed on Redis at H:P but acknowledged by 1 of 2 replicas within 100 ms; abandoned before the step ran, since a failover now could let another delivery claim it too; retry later
step ran 0 times; a retry without replicas runs it: y (ran 1)
lone replicas=1: acknowledged by 0 of 1
lone replicas=auto: true fence yes
  warning: names the acknowledgements
fallback degrade: true degraded true
fallback fail: ReplicationException
