--TEST--
Redis faults: blocked waiters (Lock, MultiLock, IdempotencyGuard) ride out CLIENT KILL, a restart, CLIENT PAUSE, and SIGSTOP and DEBUG SLEEP stalls longer than read_timeout, and still get the lock in turn within their deadline
--EXTENSIONS--
paylock
pcntl
posix
--INI--
pcre.jit=0
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/faults.inc';
// Persistence, so that a restart keeps the holder's lock (the waiters must still wait for it).
$r = fault_redis(['--appendonly', 'yes', '--appendfsync', 'always', '--enable-debug-command', 'yes']);
$dsn = "redis://127.0.0.1:{$r['port']}";
$opts = ['read_timeout' => 0.3, 'connect_timeout' => 0.3];
$n = procs(4, 3);

foreach (['CLIENT KILL', 'restart', 'CLIENT PAUSE 800 ms', 'SIGSTOP 800 ms', 'DEBUG SLEEP 800 ms'] as $fault) {
	$name = uniq('q');
	$key = uniq('idem');
	$store = new PayLock\RedisStore($dsn, $opts);
	$holder = new PayLock\Lock($store, $name, 30);
	$holder->acquire();
	$claim = (new PayLock\IdempotencyGuard($store))->begin($key);
	$t0 = microtime(true);
	$kids = [];
	for ($i = 0; $i <= $n; $i++) {
		$pair = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
		if (($pid = pcntl_fork()) === 0) {
			fclose($pair[0]);
			$s = new PayLock\RedisStore($dsn, $opts);
			try {
				if ($i === $n) { // an idempotency waiter
					$out = (new PayLock\IdempotencyGuard($s))->run($key, fn() => 'ran here', null, 8.0);
				} else {
					$l = $i % 2 ? new PayLock\MultiLock($s, [$name, "$name:x$i"], 30) : new PayLock\Lock($s, $name, 30);
					$out = $l->acquire(8.0) ? 'acquired' : 'timed out';
					usleep(20000);
					$l->release();
				}
			} catch (Throwable $e) {
				$out = get_class($e) . ': ' . $e->getMessage();
			}
			fwrite($pair[1], $out);
			posix_kill(getmypid(), SIGKILL);
		}
		fclose($pair[1]);
		$kids[] = [$pid, $pair[0]];
	}
	usleep(400000); // all blocked in BLPOP
	switch ($fault) {
		case 'CLIENT KILL':
			fault_client_kill($r);
			break;
		case 'restart':
			$r = fault_redis_restart($r);
			break;
		case 'CLIENT PAUSE 800 ms':
			fault_raw($r, ['CLIENT', 'PAUSE', '800', 'ALL']);
			usleep(800000);
			break;
		case 'SIGSTOP 800 ms':
			posix_kill($r['pid'], SIGSTOP);
			usleep(800000);
			posix_kill($r['pid'], SIGCONT);
			break;
		case 'DEBUG SLEEP 800 ms':
			fault_raw($r, ['DEBUG', 'SLEEP', '0.8']); // returns when Redis wakes
			break;
	}
	usleep(300000);
	$holder->release();
	$claim->complete('completed by the owner');
	$outs = [];
	foreach ($kids as [$pid, $sock]) {
		$outs[] = stream_get_contents($sock);
		pcntl_waitpid($pid, $st);
	}
	$took = microtime(true) - $t0;
	printf("%s: %s; done within 5 s: %s\n", $fault, implode(', ', array_count_values($outs) ? array_map(
		fn($o, $c) => "$c x $o", array_keys(array_count_values($outs)), array_count_values($outs)) : []),
		truth($took < 5, sprintf('%s: took %.2f s', $name, $took)));
	$left = fault_raw($r, ['EXISTS', fault_lock_key($name), fault_lock_key($name) . ':q', fault_lock_key($name) . ':w']);
	echo "  keys left behind: $left\n";
}
fault_redis_stop($r);
?>
--EXPECTF--
CLIENT KILL: %d x acquired, 1 x completed by the owner; done within 5 s: true
  keys left behind: 0
restart: %d x acquired, 1 x completed by the owner; done within 5 s: true
  keys left behind: 0
CLIENT PAUSE 800 ms: %d x acquired, 1 x completed by the owner; done within 5 s: true
  keys left behind: 0
SIGSTOP 800 ms: %d x acquired, 1 x completed by the owner; done within 5 s: true
  keys left behind: 0
DEBUG SLEEP 800 ms: %d x acquired, 1 x completed by the owner; done within 5 s: true
  keys left behind: 0
