--TEST--
IdempotencyGuard on FileStore: a record file of hundreds of MB (or a huge holder line) is a StoreException checked before reading, never a fatal out-of-memory error
--EXTENSIONS--
paylock
--INI--
memory_limit=128M
--SKIPIF--
<?php
require __DIR__ . '/../_support/skipif.inc';
require_once __DIR__ . '/../_support/over.inc';
skip_over(['cluster', 'sentinel'], 'FileStore only: no store in it reaches the harness Redis');
?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
$dir = lock_dir();
$s = new PayLock\FileStore($dir);
$rec = "$dir/" . hash('sha256', 'idem:{big}') . '.idem';
$f = fopen($rec, 'c');
fwrite($f, "PLI1 d 1 9999999999999 1 - - 314572800\n");
ftruncate($f, 300 << 20); // sparse: 300 MB without using the disk
fclose($f);
$g = new PayLock\IdempotencyGuard($s);
foreach (['run' => fn() => $g->run('big', fn() => 'ran'), 'begin' => fn() => $g->begin('big')] as $what => $call) {
	try {
		$call();
		echo "$what: no exception\n";
	} catch (PayLock\StoreException $e) {
		echo "$what: ", preg_replace('/[0-9a-f]{64}/', 'H', str_replace($dir, 'DIR', $e->getMessage())), "\n";
	}
}
$g->forget('big');
var_dump(file_exists($rec), $g->run('big', fn() => 'ran'));
// A lock file holding far more than a holder line: held by a plain flock() of another process.
$lockfile = "$dir/" . hash('sha256', 'order:1');
file_put_contents($lockfile, str_repeat('x', 100000));
$p = proc_open([PHP_BINARY, '-n', '-r', '$f = fopen(' . var_export($lockfile, true) . ', "r"); flock($f, LOCK_EX); echo "locked\n"; sleep(30);'],
	[1 => ['pipe', 'w']], $pipes);
fgets($pipes[1]);
try {
	PayLock\holder($s, 'order:1');
	echo "holder: no exception\n";
} catch (PayLock\StoreException $e) {
	echo "holder: ", preg_replace('/[0-9a-f]{64}/', 'H', str_replace($dir, 'DIR', $e->getMessage())), "\n";
}
proc_terminate($p, 9);
proc_close($p);
echo "peak memory under 64 MB: ", yes(memory_get_peak_usage() < (64 << 20), 'FileStore: peak ' . memory_get_peak_usage() . ' bytes'), "\n";
?>
--EXPECT--
run: Idempotency record DIR/H.idem holds 314572800 bytes, more than PayLock reads (512 MB, and a third of the memory_limit left). Fix: raise memory_limit, or forget() the key
begin: Idempotency record DIR/H.idem holds 314572800 bytes, more than PayLock reads (512 MB, and a third of the memory_limit left). Fix: raise memory_limit, or forget() the key
bool(false)
string(3) "ran"
holder: Lock file DIR/H holds 100000 bytes, more than a lock file's 1608; PayLock does not read it. Fix: find who writes to it
peak memory under 64 MB: yes