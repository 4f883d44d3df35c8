--TEST--
FileStore: a timed wait blocks in the kernel, returns false on time, and is woken promptly by the release
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
$slow = getenv('USE_ZEND_ALLOC') === '0' ? 20 : 1;
$dir = lock_dir();
$s = new PayLock\FileStore($dir);
$holder = new PayLock\Lock($s, 'sku:1');
$holder->acquire();
$w = new PayLock\Lock($s, 'sku:1');
foreach ([0.05, 0.3] as $wait) {
	$t = microtime(true);
	$r = $w->acquire($wait);
	$dt = microtime(true) - $t;
	printf("wait %.2f: %s, on time: %s\n", $wait, var_export($r, true), $dt >= $wait && $dt < $wait + 0.02 * $slow ? 'yes' : "no ($dt)");
}
// A user signal handler (pcntl) is not disturbed by PayLock's timer.
pcntl_async_signals(true);
$got = 0;
pcntl_signal(SIGUSR1, function () use (&$got) { $got++; });
posix_kill(getmypid(), SIGUSR1);
var_dump($w->acquire(0.05), $got);
$holder->release();

// Woken by the release of another process.
$pair = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$pid = pcntl_fork();
if ($pid === 0) {
	$l = new PayLock\Lock(new PayLock\FileStore($dir), 'sku:2');
	$l->acquire();
	fwrite($pair[1], "held\n");
	usleep(300000);
	$t = microtime(true);
	$l->release();
	fwrite($pair[1], "$t\n");
	posix_kill(getmypid(), SIGKILL);
}
fgets($pair[0]);
$l = new PayLock\Lock($s, 'sku:2');
$ok = $l->acquire(5);
$delay = microtime(true) - (float)fgets($pair[0]);
pcntl_waitpid($pid, $st);
echo "acquired: ", var_export($ok, true), ", within 20 ms of the release: ", $delay < 0.02 * $slow ? 'yes' : "no ($delay)", "\n";

// A holder killed outright: the kernel drops its flock at once.
$pid = pcntl_fork();
if ($pid === 0) {
	$d = new PayLock\Lock(new PayLock\FileStore($dir), 'sku:3');
	$d->acquire();
	fwrite($pair[1], "held\n");
	sleep(30);
}
fgets($pair[0]);
$w3 = new PayLock\Lock($s, 'sku:3');
var_dump($w3->acquire());
posix_kill($pid, SIGKILL);
pcntl_waitpid($pid, $st);
var_dump($w3->acquire(2));
?>
--EXPECT--
wait 0.05: false, on time: yes
wait 0.30: false, on time: yes
bool(false)
int(1)
acquired: true, within 20 ms of the release: yes
bool(false)
bool(true)
