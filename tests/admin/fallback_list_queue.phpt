--TEST--
Admin on FallbackStore: holders are listed from Redis (every host's), then locks held degraded on the local file; a same-host waiter shows in queue() as the kernel's; with Redis down the local holders are listed as degraded; forceRelease() is refused with what to do instead
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
require __DIR__ . '/../_support/admin.inc';

/** Every entry of a listing, following its cursors; [entries, pages]. */
function all_locks(PayLock\Admin $a, string $prefix): array
{
	$out = [];
	$pages = 0;
	$cursor = null;
	do {
		$page = $a->locks($prefix, $cursor, 10);
		$out = array_merge($out, $page['locks']);
		$cursor = $page['cursor'];
		$pages++;
	} while ($cursor !== null && $pages < 100);
	return [$out, $pages];
}

$dir = lock_dir();
$fb = new PayLock\FallbackStore(redis_store(), new PayLock\FileStore($dir));
$admin = new PayLock\Admin($fb);
$p = uniq('fbadm');
$name = "$p:order";

$held = new PayLock\Lock($fb, $name, 300);
$held->acquire();
$kid = spawn(function () use ($dir, $name) {
	$l = new PayLock\Lock(new PayLock\FallbackStore(redis_store(), new PayLock\FileStore($dir)), $name, 30);
	$ok = $l->acquire(120);
	$l->release();
	return $ok;
});
$ok = wait_until(fn() => count($admin->queue($name)) === 1);
echo 'same-host waiter seen: ', yes($ok, json_encode($admin->queue($name))), "\n";
[$list, $pages] = all_locks($admin, $p);
echo 'listed once: ', same(array_column($list, 'name'), [$name]), "\n";
echo 'holder from Redis: ', same([$list[0]['holder']['store'] ?? null, $list[0]['holder']['pid'] ?? null], ['redis', getmypid()]), "\n";
echo 'not degraded: ', same($list[0]['degraded'], false), "\n";
$q = $admin->queue($name);
echo 'the waiter is the kernel\'s: ', same([$q[0]['store'], $q[0]['pid']], ['file', $kid[0]]), "\n";
try {
	$admin->forceRelease($name);
} catch (PayLock\StoreException $e) {
	echo $e->getMessage(), "\n";
}
$held->release();
echo 'waiter got it: ', same(reap($kid), true), "\n";

// Redis down: the lock is held on the local file alone.
$down = new PayLock\FallbackStore(new PayLock\RedisStore('redis://127.0.0.1:1', ['connect_timeout' => 0.2]),
	new PayLock\FileStore($dir));
$degraded = new PayLock\Lock($down, "$p:degraded", 30);
@$degraded->acquire();
echo 'held degraded: ', same($degraded->isDegraded(), true), "\n";
[$list] = all_locks(new PayLock\Admin($down), $p);
echo 'Redis down: listed from the file as degraded: ', same(array_map(fn($e) => [$e['name'], $e['degraded']], $list), [["$p:degraded", true]]), "\n";
// Seen through a FallbackStore whose Redis is up (another process on this host): after the Redis pages.
[$list, $pages] = all_locks($admin, $p);
echo 'Redis up: the degraded holder after the Redis pages: ', same(array_map(fn($e) => [$e['name'], $e['degraded']], $list), [["$p:degraded", true]]), "\n";
$degraded->release();
echo 'none left: ', same(all_locks($admin, $p)[0], []), "\n";
?>
--EXPECT--
same-host waiter seen: yes
listed once: true
holder from Redis: true
not degraded: true
the waiter is the kernel's: true
fallback cannot force a release: its local part is a flock that belongs to the holder's process until it exits. Fix: stop the holder (its host and pid are in Admin::locks() or holder()), or use Admin over the RedisStore part when that host is gone
waiter got it: true
held degraded: true
Redis down: listed from the file as degraded: true
Redis up: the degraded holder after the Redis pages: true
none left: true
