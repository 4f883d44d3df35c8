--TEST--
Admin on FileStore: held locks are listed by name (kept in the lock file's name slot) with holder pid and the kernel's queue length; queue() shows the waiting pids; a lock file without a name slot (older PayLock) lists with a null name; forceRelease() is refused with what to do instead
--EXTENSIONS--
paylock
pcntl
posix
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
require __DIR__ . '/../_support/admin.inc';

$dir = lock_dir();
$store = new PayLock\FileStore($dir);
$admin = new PayLock\Admin($store);
$p = uniq('fadm');
$busy = "$p:busy";
$alone = "$p:alone";

$holder = new PayLock\Lock($store, $busy);
$holder->acquire();
$holder->fencingToken();
$other = new PayLock\Lock($store, $alone);
$other->acquire();

$kids = [];
for ($i = 0; $i < 2; $i++) {
	$kids[] = spawn(function () use ($dir, $busy) {
		$l = new PayLock\Lock(new PayLock\FileStore($dir), $busy);
		$ok = $l->acquire(120);
		$l->release();
		return [getmypid(), $ok];
	});
}
// A holder written by an older PayLock: the holder line, no name slot, flocked by another process.
$legacy = "$p:legacy";
$hash = hash('sha256', $legacy);
$old = spawn(function () use ($dir, $hash) {
	$f = fopen("$dir/$hash", 'c+');
	fwrite($f, getmypid() . ':' . (int)(microtime(true) * 1000) . ':0:' . php_uname('n') . "\n");
	flock($f, LOCK_EX);
	sleep(60);
});
$ok = wait_until(fn() => (entry_of($admin->locks($p)['locks'], $busy)['queue'] ?? 0) === 2
	&& count($admin->locks()['locks']) === 3);
echo 'two waiters and the legacy holder seen: ', yes($ok, json_encode($admin->locks())), "\n";

$list = $admin->locks($p)['locks'];
$e = entry_of($list, $busy);
echo 'listed by prefix: ', same(array_column($list, 'name') == [$busy, $alone] || array_column($list, 'name') == [$alone, $busy], true), "\n";
echo 'holder pid: ', same($e['holder']['pid'] ?? null, getmypid()), "\n";
echo 'fence: ', yes(($e['holder']['fence'] ?? 0) > 0, json_encode($e)), "\n";
echo 'no lease: ', same(array_key_exists('ttl', $e['holder']) ? $e['holder']['ttl'] : 'x', null), "\n";
echo 'file: ', same($e['holder']['file'] ?? null, hash('sha256', $busy)), "\n";
echo 'queue: ', same($e['queue'], 2), "\n";
echo 'alone queue: ', same(entry_of($list, $alone)['queue'] ?? null, 0), "\n";

$all = $admin->locks()['locks'];
$unnamed = array_values(array_filter($all, fn($x) => $x['name'] === null));
echo 'legacy file listed without a name: ', same(count($unnamed), 1), "\n";
echo 'legacy file hash and pid: ', same([$unnamed[0]['holder']['file'] ?? null, $unnamed[0]['holder']['pid'] ?? null], [$hash, $old[0]]), "\n";

$q = $admin->queue($busy);
$want = array_map(fn($k) => $k[0], $kids);
$pids = array_column($q, 'pid');
sort($pids);
sort($want);
echo 'queue pids: ', same($pids, $want), "\n";
echo 'queue of a free name: ', same($admin->queue("$p:free"), []), "\n";

try {
	$admin->forceRelease($busy);
	echo "forced?\n";
} catch (PayLock\StoreException $ex) {
	echo $ex->getMessage(), "\n";
}
echo 'still held: ', same($holder->isAcquired(), true), "\n";

$holder->release();
$got = array_map('reap', $kids);
echo 'waiters got it: ', same(array_column($got, 1), [true, true]), "\n";
posix_kill($old[0], SIGKILL);
reap($old);
$other->release();
echo 'empty listing: ', same($admin->locks(), ['locks' => [], 'cursor' => null]), "\n";
?>
--EXPECT--
two waiters and the legacy holder seen: yes
listed by prefix: true
holder pid: true
fence: yes
no lease: true
file: true
queue: true
alone queue: true
legacy file listed without a name: true
legacy file hash and pid: true
queue pids: true
queue of a free name: true
file cannot force a release: a flock belongs to the process that holds it, and the kernel frees it when that process exits. Fix: stop the holder (its pid is in Admin::locks() or holder())
still held: true
waiters got it: true
empty listing: true
