--TEST--
FileStore fencing tokens never go back: counter deleted, truncated, garbage, "-5", a cleared temp dir, INT64_MAX-1 (then a clear StoreException, no overflow), a FIFO counter (no hang)
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
$dir = lock_dir();
$counter = "$dir/fencing-counter";
$issued = [];
$token = function () use ($dir, &$issued) {
	$l = new PayLock\Lock(new PayLock\FileStore($dir), 'order:1');
	$l->acquire() or die('not acquired');
	$t = $l->fencingToken();
	$l->release();
	$ok = $t > max($issued ?: [0]);
	$issued[] = $t;
	return $ok ? 'larger' : "NOT LARGER: $t after " . max($issued);
};
echo "first: ", $token(), "\n";
echo "next: ", $token(), "\n";
unlink($counter);
echo "deleted: ", $token(), "\n";
file_put_contents($counter, '');
echo "truncated: ", $token(), "\n";
file_put_contents($counter, substr(file_get_contents($counter), 0, 7));
echo "torn (first digits only): ", $token(), "\n";
file_put_contents($counter, "garbage\0\xff");
echo "garbage: ", $token(), "\n";
file_put_contents($counter, '-5');
echo "-5: ", $token(), "\n";
file_put_contents($counter, str_repeat('9', 4096));
echo "huge: ", $token(), "\n";
exec('rm -rf ' . escapeshellarg($dir));   // Debian clears /tmp at boot
echo "dir cleared: ", $token(), "\n";
// Many processes at once after a loss: still all distinct and above everything issued.
unlink($counter);
$r = fork_workers(6, function () use ($dir) {
	$s = new PayLock\FileStore($dir);
	$out = [];
	for ($i = 0; $i < 50; $i++) {
		$l = new PayLock\Lock($s, 'order:1');
		$l->acquire(10);
		$out[] = $l->fencingToken();
		$l->release();
	}
	return $out;
});
$all = array_merge(...$r);
echo "concurrent: ", count(array_unique($all)) === 300 ? 'distinct' : 'DUPLICATES', ', ',
	min($all) > max($issued) ? 'larger' : 'NOT LARGER', "\n";
$issued = array_merge($issued, $all);
// Near the top: the last token is INT64_MAX, then a StoreException, never a wrap to 0 or 1.
file_put_contents($counter, (string)(PHP_INT_MAX - 1) . "\n");
echo "INT64_MAX-1: ", $token(), ' ', end($issued) === PHP_INT_MAX ? 'INT64_MAX' : end($issued), "\n";
try {
	echo $token(), "\n";
} catch (PayLock\StoreException $e) {
	echo str_replace($dir, 'DIR', $e->getMessage()), "\n";
}
var_dump((int)file_get_contents($counter) === PHP_INT_MAX);
unlink($counter);
posix_mkfifo($counter, 0600);
$t = microtime(true);
try {
	echo $token(), "\n";
} catch (PayLock\StoreException $e) {
	echo str_replace($dir, 'DIR', $e->getMessage()), "\n";
}
var_dump(microtime(true) - $t < 2);
?>
--EXPECT--
first: larger
next: larger
deleted: larger
truncated: larger
torn (first digits only): larger
garbage: larger
-5: larger
huge: larger
dir cleared: larger
concurrent: distinct, larger
INT64_MAX-1: larger INT64_MAX
Fencing counter DIR/fencing-counter is at INT64_MAX: no larger token exists. Fix: reset the fences stored by your application, then remove the file
bool(true)
The fencing counter DIR/fencing-counter is a FIFO, not a regular file; PayLock never opens it. Fix: remove it (another user may have planted it), or set paylock.lock_dir to a directory only this user can write
bool(true)
