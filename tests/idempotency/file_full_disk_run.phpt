--TEST--
IdempotencyGuard on FileStore: a step that returned while the disk was full (its result and the "result not stored" mark both refused) is never run again: the claim stays held until request end (a delivery meanwhile gets InProgressException, not a re-run), is marked then, and later deliveries get OutcomeUnknownException
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php
require __DIR__ . '/../_support/skipif.inc';
if (posix_geteuid() !== 0) die('skip needs root to mount a tiny tmpfs');
if (getenv('USE_ZEND_ALLOC') === '0') die('skip mount cannot run under valgrind (setuid)');
$d = sys_get_temp_dir() . '/pl-mount-probe-' . getmypid();
@mkdir($d);
exec('mount -t tmpfs -o size=4k,nr_inodes=16 tmpfs ' . escapeshellarg($d) . ' 2>&1', $o, $rc);
exec('umount ' . escapeshellarg($d));
@rmdir($d);
if ($rc !== 0) die('skip cannot mount tmpfs here');
?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
$mnt = lock_dir();
mkdir($mnt);
exec('mount -t tmpfs -o size=256k,nr_inodes=64 tmpfs ' . escapeshellarg($mnt));
$ran = tally_file();
$deliver = function () use ($mnt, $ran): string {
	$g = new PayLock\IdempotencyGuard(new PayLock\FileStore("$mnt/locks"));
	try {
		return 'result ' . $g->run('evt-full', function () use ($mnt, $ran) {
			file_put_contents($ran, "charge\n", FILE_APPEND);
			@file_put_contents("$mnt/filler", str_repeat('x', 1 << 20)); // from now on every write fails
			return str_repeat('paid', 1024);
		}, null, 0.0);
	} catch (Throwable $e) {
		return get_class($e);
	}
};
try {
	$pair = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
	$pid = pcntl_fork();
	if ($pid === 0) {
		echo "first delivery: ", $deliver(), "\n";
		unlink("$mnt/filler"); // the disk has room again before this request ends
		fwrite($pair[1], "room\n");
		fgets($pair[1]); // the parent's delivery during this request
		exit(0);
	}
	$room = trim(fgets($pair[0]));
	echo "disk has room again: ", same($room, 'room'), "\n";
	echo "delivery while the first request runs: ", $deliver(), "\n";
	fwrite($pair[0], "done\n");
	pcntl_waitpid($pid, $st);
	for ($i = 0; $i < 2; $i++) {
		echo "redelivery: ", $deliver(), "\n";
	}
	echo "executions: ", count(file($ran)), "\n";
} finally {
	exec('umount -l ' . escapeshellarg($mnt));
}
?>
--EXPECTF--
first delivery: 
Warning: %s Could not mark idempotency key "evt-full" after its result was refused: %s; the claim is kept and marked again at request end in %s
PayLock\StoreException
disk has room again: true
delivery while the first request runs: PayLock\InProgressException
redelivery: PayLock\OutcomeUnknownException
redelivery: PayLock\OutcomeUnknownException
executions: 1
