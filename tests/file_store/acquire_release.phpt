--TEST--
FileStore: the Lock surface on flock files; no TTL (INF); lazy, increasing fencing; holder(); release leaves no file
--EXTENSIONS--
paylock
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
$s = new PayLock\FileStore(lock_dir());
$a = new PayLock\Lock($s, 'order:7', 0.1);   // the ttl has no meaning for flock
$b = new PayLock\Lock($s, 'order:7');
var_dump(PayLock\holder($s, 'order:7'), $a->acquire(), $b->acquire());
usleep(150000);
var_dump($a->isAcquired(), $a->remainingLifetime(), $a->isDegraded());
$h = PayLock\holder($s, 'order:7');
var_dump($h['pid'] === getmypid(), $h['host'] === gethostname(), $h['ttl'], $h['fence'], $h['store']);
$f1 = $a->fencingToken();
var_dump($f1 === $a->fencingToken(), PayLock\holder($s, 'order:7')['fence'] === $f1);
$a->refresh();
var_dump($a->acquire());    // re-acquire by the holder: still held
var_dump($a->release(), $a->release(), lock_files($s->directory()));
var_dump($b->acquire(), $b->fencingToken() > $f1);
// Deleting the lock file behind PayLock's back means the lock no longer excludes anyone.
unlink($s->directory() . '/' . hash('sha256', 'order:7'));
var_dump($b->isAcquired(), $b->release());
// Binary names map to distinct files.
$x = new PayLock\Lock($s, "a\0b");
$y = new PayLock\Lock($s, "a\0c");
var_dump($x->acquire(), $y->acquire());
?>
--EXPECT--
NULL
bool(true)
bool(false)
bool(true)
float(INF)
bool(false)
bool(true)
bool(true)
NULL
NULL
string(4) "file"
bool(true)
bool(true)
bool(true)
bool(true)
bool(false)
array(0) {
}
bool(true)
bool(true)
bool(false)
bool(false)
bool(true)
bool(true)
