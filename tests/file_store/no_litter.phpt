--TEST--
FileStore: 1,000 distinct names locked and released leave the lock dir empty (but for the fencing counter)
--EXTENSIONS--
paylock
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
$s = new PayLock\FileStore(lock_dir());
$t0 = (int)(microtime(true) * 1e6);
for ($i = 0; $i < 1000; $i++) {
	$l = new PayLock\Lock($s, "order:$i");
	$l->acquire() or die("not acquired $i");
	if ($i % 10 === 0) { $l->fencingToken(); }
	$l->release() or die("not released $i");
}
for ($i = 0; $i < 100; $i++) {   // and via scope exit
	$l = new PayLock\Lock($s, "cart:$i");
	$l->acquire();
}
unset($l);
var_dump(lock_files($s->directory()));
// tokens are max(counter + 1, wall-clock microseconds)
$c = (int)file_get_contents($s->directory() . '/fencing-counter');
var_dump($c >= $t0 && $c <= (int)(microtime(true) * 1e6) + 100);
?>
--EXPECT--
array(0) {
}
bool(true)
