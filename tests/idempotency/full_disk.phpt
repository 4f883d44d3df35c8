--TEST--
IdempotencyGuard on FileStore: a full disk gives StoreException, and a result that cannot be written leaves the running record intact (no silent re-run, no damaged record)
--EXTENSIONS--
paylock
posix
--SKIPIF--
<?php
require __DIR__ . '/../_support/skipif.inc';
require_once __DIR__ . '/../_support/over.inc';
skip_over(['cluster', 'sentinel'], 'FileStore only: no store in it reaches the harness Redis');
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
exec('mount -t tmpfs -o size=64k,nr_inodes=32 tmpfs ' . escapeshellarg($mnt));
try {
	$g = new PayLock\IdempotencyGuard(new PayLock\FileStore("$mnt/locks"), ['after_crash' => 'throw']);
	echo 'before: ', $g->run('evt_1', fn() => 'small'), "\n";
	$c = $g->begin('evt_2');
	@file_put_contents("$mnt/filler", str_repeat('x', 1 << 20)); // the disk fills while the step runs
	try {
		$c->complete(str_repeat('r', 20000));
	} catch (PayLock\StoreException $e) {
		echo get_class($e), ': ', str_replace($mnt, 'MNT', $e->getMessage()), "\n";
	}
	try {
		$g->begin('evt_2');
	} catch (PayLock\InProgressException $e) {
		echo "record still reads as running: InProgressException\n";
	}
	unlink("$mnt/filler");
	$c->complete('stored once there is room');
	echo 'replay: ', $g->run('evt_2', fn() => 'NO'), "\n";
	echo 'old record intact: ', $g->run('evt_1', fn() => 'NO'), "\n";
	// No inodes left: a new key cannot get a record file.
	for ($i = 0; @touch("$mnt/inode$i"); $i++);
	try {
		$g->run('evt_3', fn() => 'NO');
	} catch (PayLock\StoreException $e) {
		echo get_class($e), ': ', str_replace($mnt, 'MNT', $e->getMessage()), "\n";
	}
} finally {
	exec('umount -l ' . escapeshellarg($mnt));
}
?>
--EXPECTF--
before: small
PayLock\StoreException: Cannot write idempotency record MNT/locks/%s.idem: No space left on device
record still reads as running: InProgressException
replay: stored once there is room
old record intact: small
PayLock\StoreException: Cannot open idempotency record MNT/locks/%s.idem: No space left on device
