--TEST--
Sentinel: SENTINEL FAILOVER during a storm of locks and idempotent steps: callers follow the new master (READONLY re-discovers), failures are ConnectionExceptions only
--EXTENSIONS--
paylock
pcntl
posix
--INI--
pcre.jit=0
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif_sentinel.inc'; ?>
--CONFLICTS--
sentinel
--FILE--
<?php
require __DIR__ . '/../_support/cluster.inc';
$old = sentinel_master_port();
$tally = tally_file();
$stop = microtime(true) + 16;
$procs = procs(4, 2);
$w = [];
for ($i = 0; $i < $procs; $i++) {
	$pair = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
	$pid = pcntl_fork();
	if ($pid === 0) {
		fclose($pair[0]);
		$store = new PayLock\RedisStore(sentinel_dsn());
		$g = new PayLock\IdempotencyGuard($store);
		$r = ['ok' => 0, 'conn' => 0, 'other' => [], 'last' => 0];
		for ($k = 0; microtime(true) < $stop; $k++) {
			try {
				$key = 'storm:' . getmypid() . ":$k";
				$v = $g->run($key, function () use ($tally) { tally($tally); return 1; });
				$lock = new PayLock\Lock($store, 'storm-lock', 5);
				if ($lock->acquire(2)) $lock->release();
				$r['ok']++;
				$r['last'] = microtime(true);
			} catch (PayLock\ConnectionException $e) {
				$r['conn']++;
				usleep(50000);
			} catch (Throwable $e) {
				$r['other'][] = get_class($e) . ': ' . $e->getMessage();
			}
			usleep(5000);
		}
		$r['found'] = router_info('Redis Sentinel discoveries');
		fwrite($pair[1], serialize($r));
		posix_kill(getmypid(), SIGKILL);
	}
	fclose($pair[1]);
	$w[] = [$pid, $pair[0]];
}
usleep(1500000);
$r = redis_raw(['SENTINEL', 'FAILOVER', 'mymaster'], sentinel_ports()[0]);
echo "failover started: ", same($r, 'OK'), "\n";
$end = microtime(true) + 12;
while (microtime(true) < $end && sentinel_master_port() === $old) usleep(100000);
$new = sentinel_master_port();
echo "Sentinels switched: ", yes($new !== $old, "still $old"), "\n";
$ok = $conn = 0;
$other = [];
$late = 0;
$found = [];
foreach ($w as [$pid, $sock]) {
	$res = unserialize(stream_get_contents($sock));
	pcntl_waitpid($pid, $st);
	$ok += $res['ok'];
	$conn += $res['conn'];
	$other = array_merge($other, $res['other']);
	$late += $res['last'] > $stop - 2 ? 1 : 0;
	$found[] = $res['found'];
}
echo "only ConnectionExceptions: ", yes($other === [], implode(' | ', array_slice($other, 0, 3))), "\n";
echo "every worker still succeeding at the end: ", same($late, $procs), "\n";
echo "steps: ", yes($ok > 0, "ok $ok"), "\n";
echo "every worker found the new master (discoveries >= 2): ", yes(min($found) >= 2, implode(',', $found) . ", old master now " . redis_role($old)), "\n";
// the old master ends up a replica: new stores find the new master
$end = microtime(true) + 15;
while (microtime(true) < $end && redis_role($old) !== 'slave') usleep(100000);
$s = new PayLock\RedisStore(sentinel_dsn(), ['prefix' => 'after:']);
$l = new PayLock\Lock($s, uniq(), 5);
echo "after the switch: ", same($l->acquire(), true), " ", same($l->release(), true), "\n";
?>
--EXPECT--
failover started: true
Sentinels switched: yes
only ConnectionExceptions: yes
every worker still succeeding at the end: true
steps: yes
every worker found the new master (discoveries >= 2): yes
after the switch: true true
