--TEST--
IdempotencyGuard on RedisStore and FallbackStore: when Redis loses the record while the step runs (FLUSHALL, a restart without persistence), the owner writes its result back; 20 redeliveries then replay it: 1 execution. Only a record another owner took means the claim was lost
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php
require __DIR__ . '/../_support/skipif.inc';
require_once __DIR__ . '/../_support/over.inc';
skip_over(['cluster', 'sentinel'], 'about a single server\'s faults (restart, FLUSHALL, maxmemory) on private redis-servers it starts');
?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
use PayLock\IdempotencyGuard;

$r = start_private_redis();
$port = $r[0];
$dsn = "redis://127.0.0.1:$port";
foreach (['redis', 'fallback'] as $kind) {
	$dir = lock_dir();
	foreach (['FLUSHALL', 'restart'] as $how) {
		$key = uniq('capture');
		$tally = tally_file();
		$g = new IdempotencyGuard(idem_store($kind, $dir, $dsn));
		$v = $g->run($key, function () use ($tally, $how, &$r, $port) {
			tally($tally);
			if ($how === 'FLUSHALL') {
				redis_raw(['FLUSHALL'], $port);
			} else {
				stop_private_redis($r);
				$r = start_private_redis($port); // empty: no persistence
			}
			return ['txn' => 'T-1'];
		});
		// 20 redeliveries on this host, each its own process, at once.
		$got = fork_workers(procs(20), function () use ($kind, $dir, $dsn, $key, $tally) {
			$g = new IdempotencyGuard(idem_store($kind, $dir, $dsn));
			return $g->run($key, function () use ($tally) { tally($tally); return ['txn' => 'T-AGAIN']; }, null, 5.0)['txn'];
		});
		printf("%s, %s during the step: first %s, redeliveries %s, step ran %d time(s)\n", $kind, $how, $v['txn'],
			implode(',', array_unique($got)), tally_count($tally));
	}

	// markUnknown() and abandon() after the record vanished write it back as well.
	$key = uniq('capture');
	$g = new IdempotencyGuard(idem_store($kind, $dir, $dsn));
	$c = $g->begin($key);
	redis_raw(['FLUSHALL'], $port);
	$c->markUnknown();
	try {
		(new IdempotencyGuard(idem_store($kind, lock_dir(), $dsn)))->run($key, fn() => 'RAN AGAIN'); // another host
	} catch (PayLock\OutcomeUnknownException $e) {
		echo "$kind: markUnknown after FLUSHALL: another host gets OutcomeUnknownException\n";
	}

	// A record another owner took is lost for real: LockLostException, and the other owner's result stays.
	$key = uniq('capture');
	$c = $g->begin($key);
	redis_raw(['FLUSHALL'], $port);
	$other = (new IdempotencyGuard(idem_store($kind, lock_dir(), $dsn)))->begin($key);
	try {
		$c->complete('mine');
	} catch (PayLock\LockLostException $e) {
		echo "$kind: taken over by another host: LockLostException\n";
	}
	$other->complete('theirs');
	echo "$kind: replay on another host: ", (new IdempotencyGuard(idem_store($kind, lock_dir(), $dsn)))->run($key, fn() => 'no'), "\n";
}
stop_private_redis($r);
?>
--EXPECT--
redis, FLUSHALL during the step: first T-1, redeliveries T-1, step ran 1 time(s)
redis, restart during the step: first T-1, redeliveries T-1, step ran 1 time(s)
redis: markUnknown after FLUSHALL: another host gets OutcomeUnknownException
redis: taken over by another host: LockLostException
redis: replay on another host: theirs
fallback, FLUSHALL during the step: first T-1, redeliveries T-1, step ran 1 time(s)
fallback, restart during the step: first T-1, redeliveries T-1, step ran 1 time(s)
fallback: markUnknown after FLUSHALL: another host gets OutcomeUnknownException
fallback: taken over by another host: LockLostException
fallback: replay on another host: theirs
