--TEST--
Lock: names are binary-safe (NUL, braces, UTF-8, 1024 bytes) and distinct names never collide
--EXTENSIONS--
paylock
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
$store = redis_store();
$p = uniq();
$names = ["$p\0a", "$p\0b", "$p}{x", "$p{", "$p:ü€", str_pad($p, 1024, "\xff")];
$locks = [];
foreach ($names as $n) {
	$l = new PayLock\Lock($store, $n);
	var_dump($l->acquire());
	$locks[] = $l;
}
foreach ($names as $i => $n) {
	$other = new PayLock\Lock($store, $n);
	echo $other->acquire() ? "collision $i\n" : "busy $i\n";
}
foreach ($locks as $l) {
	var_dump($l->release());
}
// The message shows a binary name escaped and bounded.
$l = new PayLock\Lock($store, "$p\0a");
$held = new PayLock\Lock($store, "$p\0a");
$held->acquire();
try {
	$l->acquireOrFail();
} catch (PayLock\LockTimeoutException $e) {
	echo str_replace($p, 'P', $e->getMessage()), "\n";
}
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
busy 0
busy 1
busy 2
busy 3
busy 4
busy 5
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
Could not acquire lock "P\x00a" within 0.000 s
