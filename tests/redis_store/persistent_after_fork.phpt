--TEST--
RedisStore: a forked child makes its own connection and never speaks on the parent's socket
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
$store = redis_store();
$name = uniq();
$lock = new PayLock\Lock($store, $name, 10);
var_dump($lock->acquire());

// Children use the same store object (and so the parent's pooled socket, if they were careless).
$r = fork_workers(8, function (int $i) use ($store, $name) {
	$mine = new PayLock\Lock($store, "$name:child$i", 5);
	$ok = $mine->acquire() && $mine->release();
	$h = PayLock\holder($store, $name);
	return $ok && $h['pid'] !== getmypid() ? 'ok' : 'bad (own lock ' . ($ok ? 'ok' : 'failed') . ", holder of $name: " . json_encode($h) . ')';
});
echo implode(',', $r), "\n";

// The parent's socket is intact: replies are not mixed up, and the lock is still ours.
for ($i = 0; $i < 50; $i++) {
	if (!$lock->isAcquired()) { echo "lost\n"; }
}
var_dump($store->ping(), PayLock\holder($store, $name)['pid'] === getmypid(), $lock->release());
?>
--EXPECT--
bool(true)
ok,ok,ok,ok,ok,ok,ok,ok
bool(true)
bool(true)
bool(true)
