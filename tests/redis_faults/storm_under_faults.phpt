--TEST--
Redis faults: forked Lock and MultiLock workers (half of them through a proxy that loses replies) under CLIENT KILL, SIGSTOP longer than read_timeout, CLIENT PAUSE and restarts: 0 lost updates, 0 overlaps, no false LockLostException, no ghost or queue keys left
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
$r = fault_redis(['--appendonly', 'yes', '--appendfsync', 'always']); // a restart keeps held locks
$p = fault_proxy($r['port']);
$workers = procs(12, 4);
$per = getenv('USE_ZEND_ALLOC') === '0' ? 10 : 40; // at least, and on until every fault was injected twice
$dir = lock_dir();
mkdir($dir);
file_put_contents("$dir/counter", '0');
$name = uniq('storm');

$kids = [];
for ($i = 0; $i < $workers; $i++) {
	if (($pid = pcntl_fork()) === 0) {
		$port = $i % 2 ? $r['port'] : $p['port'];
		$store = new PayLock\RedisStore("redis://127.0.0.1:$port", ['read_timeout' => 0.3, 'connect_timeout' => 0.3]);
		$lock = $i % 3 === 2 ? new PayLock\MultiLock($store, [$name, "$name:$i"], 5) : new PayLock\Lock($store, $name, 5);
		$done = 0;
		$until = microtime(true) + 60;
		while (($done < $per || !file_exists("$dir/stop")) && microtime(true) < $until) {
			$contended = PayLock\stats()['contended'];
			$ran = false;
			try {
				$lock->run(function () use ($dir, &$done, &$ran) {
					$ran = true;
					$inside = @fopen("$dir/inside", 'x');
					if (!$inside) {
						tally("$dir/overlaps");
					}
					$v = (int)file_get_contents("$dir/counter");
					usleep(1000);
					file_put_contents("$dir/counter", (string)($v + 1));
					tally("$dir/sections");
					$done++;
					if ($inside) {
						fclose($inside);
						unlink("$dir/inside");
					}
				}, 10.0);
			} catch (PayLock\LockLostException $e) {
				tally("$dir/lock-lost");
			} catch (PayLock\Exception $e) {
				// A waiter: its acquire found the lock busy (it queued) and then failed.
				$waiter = !$ran && PayLock\stats()['contended'] > $contended;
				file_put_contents("$dir/errors", ($waiter ? 'waiter ' : '') . get_class($e) . ": " . $e->getMessage() . "\n", FILE_APPEND);
				usleep(10000);
			}
		}
		for ($try = 0; $try < 40; $try++) { // still held after a release that failed: no I/O when not held
			try {
				$lock->release();
				break;
			} catch (PayLock\Exception $e) {
				usleep(50000);
			}
		}
		exit(0); // a normal request end: RSHUTDOWN runs
	}
	$kids[] = $pid;
}

$faults = ['CLIENT KILL', 'SIGSTOP', 'drop', 'CLIENT PAUSE', 'cut', 'restart'];
$injected = [];
$running = $kids;
for ($k = 0; $running; $k++) {
	if ($k === 2 * count($faults)) {
		touch("$dir/stop"); // every fault twice: the workers finish their share and stop
	}
	if ($k >= 2 * count($faults)) { // no more faults: what workers left behind must be cleaned up now
		usleep(50000);
		foreach ($running as $j => $pid) {
			if (pcntl_waitpid($pid, $st, WNOHANG) === $pid) {
				unset($running[$j]);
			}
		}
		continue;
	}
	usleep(250000);
	$f = $faults[$k % count($faults)];
	switch ($f) {
		case 'CLIENT KILL':
			fault_client_kill($r);
			break;
		case 'SIGSTOP':
			posix_kill($r['pid'], SIGSTOP);
			usleep(400000); // longer than read_timeout
			posix_kill($r['pid'], SIGCONT);
			break;
		case 'CLIENT PAUSE':
			fault_raw($r, ['CLIENT', 'PAUSE', '400', 'ALL']);
			break;
		case 'drop':
		case 'cut':
			fault_proxy_arm($p, $f, $k % 4 ? 'EVALSHA' : "\r\nNX\r\n");
			break;
		case 'restart':
			$r = fault_redis_restart($r);
			break;
	}
	$injected[$f] = true;
}
$k = 2 * count($faults);
$sections = tally_count("$dir/sections");
printf("faults injected: %s\n", implode(', ', array_keys($injected)));
printf("critical sections: %s\n", $sections >= $workers * $per ? 'every worker did its share' : "only $sections");
printf("lost updates: %d\n", $sections - (int)file_get_contents("$dir/counter"));
printf("overlaps: %d\n", tally_count("$dir/overlaps"));
printf("LockLostException: %d\n", tally_count("$dir/lock-lost"));
// Waiters ride faults out: only an acquire whose very first command meets the fault, or a release, fails.
$errors = file_exists("$dir/errors") ? file("$dir/errors") : [];
printf("waiters that failed: %d\n", count(array_filter($errors, fn($e) => str_starts_with($e, 'waiter '))));
$left = array_filter(fault_raw($r, ['KEYS', 'paylock:*']), fn($k) => !str_contains($k, '}:r:'));
printf("lock, queue and grant keys left: %d\n", count($left));
file_put_contents(getenv("STORM_LOG") ?: "/dev/null", "sections $sections; errors: " . print_r(array_count_values(file_exists("$dir/errors") ? file("$dir/errors", FILE_IGNORE_NEW_LINES) : []), true));
fault_proxy_stop($p);
fault_redis_stop($r);
?>
--EXPECT--
faults injected: CLIENT KILL, SIGSTOP, drop, CLIENT PAUSE, cut, restart
critical sections: every worker did its share
lost updates: 0
overlaps: 0
LockLostException: 0
waiters that failed: 0
lock, queue and grant keys left: 0
