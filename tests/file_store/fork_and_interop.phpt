--TEST--
FileStore: a forked child exiting leaves the parent's flock held; a plain PHP flock() on the same path excludes both ways
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
$s = new PayLock\FileStore($dir);
$l = new PayLock\Lock($s, 'order:9');
var_dump($l->acquire());

$pid = pcntl_fork();
if ($pid === 0) {
	// The child inherits the locked fd. It sees the lock as not its own and exits normally
	// (destructor and RSHUTDOWN run); that must not unlock the parent's flock.
	$r = [$l->isAcquired(), $l->release()];
	file_put_contents("$dir/../child-" . getmypid(), json_encode($r));
	exit(0);
}
pcntl_waitpid($pid, $st);
echo file_get_contents("$dir/../child-$pid"), "\n";
// Another process still cannot take it.
echo implode(',', fork_workers(1, fn() => var_export((new PayLock\Lock(new PayLock\FileStore($dir), 'order:9'))->acquire(), true))), "\n";
var_dump($l->isAcquired(), $l->release());

// Interop: a plain flock() on directory()/sha256(name).
$path = $s->directory() . '/' . hash('sha256', 'order:10');
$fp = fopen($path, 'c');
var_dump(flock($fp, LOCK_EX | LOCK_NB));
$m = new PayLock\Lock($s, 'order:10');
var_dump($m->acquire(0.05));
$h = PayLock\holder($s, 'order:10');
var_dump($h['pid'], $h['store']);
flock($fp, LOCK_UN);
var_dump($m->acquire());
$fp2 = fopen($path, 'c');
var_dump(flock($fp2, LOCK_EX | LOCK_NB));
$m->release();
?>
--EXPECT--
bool(true)
[false,false]
false
bool(true)
bool(true)
bool(true)
bool(false)
NULL
string(4) "file"
bool(true)
bool(false)
