--TEST--
FileStore: a full disk gives a clear StoreException and leaves nothing half-written
--EXTENSIONS--
paylock
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
exec('mount -t tmpfs -o size=64k,nr_inodes=16 tmpfs ' . escapeshellarg($mnt));
try {
	$s = new PayLock\FileStore("$mnt/locks");
	$held = new PayLock\Lock($s, 'a');
	var_dump($held->acquire());
	$fence = $held->fencingToken();
	// Fill the blocks: writing the next lock's holder line fails.
	@file_put_contents("$mnt/filler", str_repeat('x', 1 << 20));
	$l = new PayLock\Lock($s, 'b');
	try {
		$l->acquire();
	} catch (PayLock\StoreException $e) {
		echo get_class($e), ': ', str_replace($mnt, 'MNT', $e->getMessage()), "\n";
	}
	var_dump($l->isAcquired(), PayLock\holder($s, 'b'));
	// Use up the inodes: the lock file itself cannot be created.
	for ($i = 0; @touch("$mnt/inode$i"); $i++);
	try {
		(new PayLock\Lock($s, 'c'))->acquire();
	} catch (PayLock\StoreException $e) {
		echo get_class($e), ': ', str_replace($mnt, 'MNT', $e->getMessage()), "\n";
	}
	// The lock taken before the disk filled still works, and its fencing counter is intact.
	var_dump($held->isAcquired(), $held->release(), (int)file_get_contents("$mnt/locks/fencing-counter") === $fence);
} finally {
	exec('umount -l ' . escapeshellarg($mnt));
}
?>
--EXPECTF--
bool(true)
PayLock\StoreException: Cannot write lock file MNT/locks/%s: No space left on device
bool(false)
NULL
PayLock\StoreException: Cannot open lock file MNT/locks/%s: No space left on device
bool(true)
bool(true)
bool(true)
