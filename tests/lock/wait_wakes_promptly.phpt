--TEST--
Lock: a waiter is woken by the release (no poll interval) and an expired holder is noticed at its TTL
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
// Under valgrind everything is ~50x slower; the bounds below are for a normal run.
$slow = getenv('USE_ZEND_ALLOC') === '0' ? 20 : 1;
$store = redis_store();
$name = uniq();

// 1. Woken by release: a child holds the lock for 300 ms, the parent waits up to 5 s.
$pair = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$pid = pcntl_fork();
if ($pid === 0) {
	$l = new PayLock\Lock(redis_store(), $name, 10);
	$l->acquire();
	fwrite($pair[1], "held\n");
	usleep(300000);
	$t = microtime(true);
	$l->release();
	fwrite($pair[1], "$t\n");
	posix_kill(getmypid(), SIGKILL);
}
fgets($pair[0]);
$l = new PayLock\Lock($store, $name, 10);
$ok = $l->acquire(5);
$got = microtime(true);
$released = (float)fgets($pair[0]);
pcntl_waitpid($pid, $st);
$delay = $got - $released;
echo "acquired after release: ", var_export($ok, true), "\n";
echo "woken within 50 ms of the release: ", $delay < 0.05 * $slow ? 'yes' : "no ($delay s)", "\n";
$l->release();

// 2. The holder dies without releasing (SIGKILL): the waiter gets the lock when the 0.5 s lease ends,
//    not when its 10 s wait ends.
$pid = pcntl_fork();
if ($pid === 0) {
	$d = new PayLock\Lock(redis_store(), $name, 0.5);
	$d->acquire();
	fwrite($pair[1], "held\n");
	posix_kill(getmypid(), SIGKILL);
}
fgets($pair[0]);
pcntl_waitpid($pid, $st);
$t = microtime(true);
$w = new PayLock\Lock($store, $name, 10);
$ok = $w->acquire(10);
$dt = microtime(true) - $t;
echo "acquired after the dead holder's lease: ", var_export($ok, true), "\n";
echo "within the lease plus Redis' timer tick: ", $dt < 0.75 * $slow ? 'yes' : "no ($dt s)", "\n";
$w->release();
?>
--EXPECT--
acquired after release: true
woken within 50 ms of the release: yes
acquired after the dead holder's lease: true
within the lease plus Redis' timer tick: yes
