--TEST--
replicas: replication link frozen (a stalled proxy between primary and replica), primary SIGKILLed, replica promoted with REPLICAOF NO ONE. Without replicas the lost-lock double grant happens (the test can see it); with replicas => 1 and 'auto' it does not: the acquire fails within replica_timeout, and every acknowledged lock, fencing counter and idempotency record is on the promoted replica (tokens grow, no step runs twice)
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php
require __DIR__ . '/../_support/skipif.inc';
?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
require_once __DIR__ . '/../_support/faults.inc';
use PayLock\{RedisStore, Lock, IdempotencyGuard, ReplicationException};

$steps = tally_file();
foreach ([0, 1, 'auto'] as $want) {
	$primary = new PrivateRedis(['--save', '3600 1']);
	$link = fault_proxy($primary->port);
	$replica = new PrivateRedis(['--save', '3600 1', '--replicaof', '127.0.0.1', (string)$link['port']]);
	if (!redis_server_replicas_online($primary)) {
		echo "replicas=$want: replication never came up\n";
		continue;
	}
	// replica_timeout 0.5 s: a loaded machine (CI, valgrind) must not miss an acknowledgement while healthy
	$opts = ['replicas' => $want, 'replica_timeout' => 0.5, 'read_timeout' => 2.0, 'persistent' => false];
	$a = new RedisStore($primary->dsn(), $opts);

	// Before the freeze: a held lock, a fencing token, an idempotency record.
	$held = new Lock($a, $hn = uniq('held'));
	$held->acquire();
	$fenced = new Lock($a, $fn = uniq('fenced'));
	$fenced->acquire();
	$t_before = $fenced->fencingToken();
	$fenced->release();
	$key = uniq('key');
	(new IdempotencyGuard($a))->run($key, function () use ($steps) { tally($steps); return 'paid'; });

	// Claimed while healthy, completed while frozen: stored, not confirmed replicated.
	$late = (new IdempotencyGuard($a))->begin($lk = uniq('late'));
	posix_kill($link['pid'], SIGSTOP); // the replication stream stalls in the proxy
	$note = '';
	try {
		$late->complete('late-result');
		$note = 'complete: returned';
	} catch (ReplicationException $e) {
		$note = 'complete: ReplicationException (' . (str_contains($e->getMessage(), 'stored, not confirmed replicated') ? 'stored, not confirmed replicated' : $e->getMessage()) . ')';
	}

	// A takes the contested lock on the frozen primary.
	$la = new Lock($a, $name = uniq('contested'));
	$t = microtime(true);
	try {
		$got_a = $la->acquire();
	} catch (ReplicationException $e) {
		$got_a = 'ReplicationException';
	}
	$ms = (microtime(true) - $t) * 1000;
	$replay = (new IdempotencyGuard($a))->run($lk, fn() => 'ran again');

	// The primary dies with the stalled stream; the replica is promoted.
	fault_proxy_stop($link);
	$primary->stop();
	$replica->cmd(['REPLICAOF', 'NO', 'ONE']);
	$b = new RedisStore($replica->dsn(), ['persistent' => false]);
	$lb = new Lock($b, $name);
	$got_b = $lb->acquire();
	$double = $got_a === true && $got_b === true;

	echo "replicas=$want: A ", var_export($got_a, true), ', B ', var_export($got_b, true), ', double grant: ',
		$double ? 'YES' : 'no', "\n";
	if ($want !== 0) {
		echo "  A failed within replica_timeout (+ Redis' tick): ", yes($ms < 1500, sprintf('%.0f ms', $ms)), "\n";
		echo "  $note; a replay before the failover: $replay\n";
		$hb = new Lock($b, $hn);
		echo '  acknowledged lock still held on the promoted replica: ', yes($hb->acquire() === false, 'B took it'), "\n";
		$fb = new Lock($b, $fn);
		$fb->acquire();
		$t_after = $fb->fencingToken();
		echo '  fencing token grows across the promotion: ', yes($t_after > $t_before, "$t_before then $t_after"), "\n";
		$r = (new IdempotencyGuard($b))->run($key, function () use ($steps) { tally($steps); return 'ran twice'; });
		echo "  acknowledged record replays: $r, step ran ", tally_count($steps), " time(s) so far\n";
	}
	// Objects of the dead primary cannot release there: their warnings are not what this test is about.
	set_error_handler(fn($no, $msg) => str_contains($msg, 'Could not release'));
	unset($la, $lb, $held, $hb, $fb, $late);
	restore_error_handler();
	$replica->stop();
}
?>
--EXPECT--
replicas=0: A true, B true, double grant: YES
replicas=1: A 'ReplicationException', B true, double grant: no
  A failed within replica_timeout (+ Redis' tick): yes
  complete: ReplicationException (stored, not confirmed replicated); a replay before the failover: late-result
  acknowledged lock still held on the promoted replica: yes
  fencing token grows across the promotion: yes
  acknowledged record replays: paid, step ran 2 time(s) so far
replicas=auto: A 'ReplicationException', B true, double grant: no
  A failed within replica_timeout (+ Redis' tick): yes
  complete: ReplicationException (stored, not confirmed replicated); a replay before the failover: late-result
  acknowledged lock still held on the promoted replica: yes
  fencing token grows across the promotion: yes
  acknowledged record replays: paid, step ran 3 time(s) so far
