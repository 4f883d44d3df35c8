--TEST--
Redis faults: a ghost that cannot be removed at once (Redis stalled, or unreachable after the lost reply) is removed as soon as Redis answers again: by the cleanup already sent, by the next operation on that server, or at request end
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/faults.inc';
$r = fault_redis();
$opts = ['read_timeout' => 0.2, 'connect_timeout' => 0.2];

// 1. Redis stalls (SIGSTOP) after SET NX reached it: acquire() times out, so does the cleanup on a fresh
// connection; when Redis wakes, the name must be free within read_timeout + connect_timeout.
$store = new PayLock\RedisStore("redis://127.0.0.1:{$r['port']}", $opts);
$store->ping();
$lock = new PayLock\Lock($store, 'stall', 10);
posix_kill($r['pid'], SIGSTOP);
try {
	$lock->acquire();
} catch (PayLock\ConnectionException $e) {
	echo "stalled: ConnectionException\n";
}
usleep(300000);
posix_kill($r['pid'], SIGCONT);
$ms = fault_ms_until_gone($r, fault_lock_key('stall'), 3000);
printf("stalled: name free %s after Redis woke\n", $ms < 400 ? 'within 0.4 s' : sprintf('only after %d ms', $ms));

// 2. The connection dies with the reply and Redis stays unreachable (the proxy is gone): the ghost is
// remembered and removed by the next operation once Redis answers again.
$p = fault_proxy($r['port']);
$via = new PayLock\RedisStore("redis://127.0.0.1:{$p['port']}", $opts);
$via->ping();
fault_proxy_arm($p, 'die', "\r\nNX\r\n");
$lock = new PayLock\Lock($via, 'later', 10);
try {
	$lock->acquire();
} catch (PayLock\ConnectionException $e) {
	echo "unreachable: ConnectionException\n";
}
echo "unreachable: held on Redis meanwhile: ", fault_raw($r, ['EXISTS', fault_lock_key('later')]), "\n";
$p = fault_proxy($r['port'], $p['port']);
var_dump($via->ping());
echo "next operation: held on Redis: ", fault_raw($r, ['EXISTS', fault_lock_key('later')]), "\n";

// 3. The same in a child that does nothing more with PayLock: request end removes it.
$pair = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$pid = pcntl_fork();
if ($pid === 0) {
	$s = new PayLock\RedisStore("redis://127.0.0.1:{$p['port']}", $opts);
	$s->ping();
	$l = new PayLock\Lock($s, 'at-end', 10);
	try {
		$l->acquire();
	} catch (PayLock\ConnectionException $e) {
		fwrite($pair[1], "failed\n");
	}
	fgets($pair[1]); // until the parent has brought the proxy back
	exit(0);
}
fault_proxy_arm($p, 'die', "\r\nNX\r\n");
echo "child: ", trim(fgets($pair[0])), ", held on Redis meanwhile: ", fault_raw($r, ['EXISTS', fault_lock_key('at-end')]), "\n";
$p = fault_proxy($r['port'], $p['port']);
fwrite($pair[0], "go\n");
pcntl_waitpid($pid, $st);
echo "after the child's request end: held on Redis: ", fault_raw($r, ['EXISTS', fault_lock_key('at-end')]), "\n";
fault_proxy_stop($p);
fault_redis_stop($r);
?>
--EXPECT--
stalled: ConnectionException
stalled: name free within 0.4 s after Redis woke
unreachable: ConnectionException
unreachable: held on Redis meanwhile: 1
bool(true)
next operation: held on Redis: 0
child: failed, held on Redis meanwhile: 1
after the child's request end: held on Redis: 0
