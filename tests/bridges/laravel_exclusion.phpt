--TEST--
Laravel bridge: Cache::lock()->block() excludes across forked processes (no lost update); a block() waiting on another process's holder is handed the lock by its release; forceRelease() of another process's lock frees it on Redis (first waiter gets it, the old holder's release() is false) and on files throws ForceReleaseException naming the holder and leaves the lock alone; a lock held at request end is released
--EXTENSIONS--
paylock
mbstring
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/common.inc';
require_debian('Illuminate/Cache/autoload.php', 'php-illuminate-cache');

use Illuminate\Cache\ArrayStore;
use Illuminate\Cache\Repository;
use PayLock\Bridge\Laravel\ForceReleaseException;
use PayLock\Bridge\Laravel\PayLockCacheStore;

function cache(?PayLock\Store $store = null): Repository
{
	return new Repository(new PayLockCacheStore(new ArrayStore(), $store ?? redis_store()));
}

/** A child holds $name on $store until $go appears, then writes what its release() returned to $out. */
function hold_in_child(PayLock\Store $store, string $name, string $go, string $out): int
{
	$pid = pcntl_fork();
	if ($pid === 0) {
		$lock = cache($store)->lock($name, 60);
		$lock->get();
		while (!is_file($go)) {
			usleep(5000);
		}
		file_put_contents($out, var_export($lock->release(), true));
		exit(0);
	}
	while (PayLock\holder($store, $name) === null) {
		usleep(5000);
	}
	return $pid;
}

$name = uniq('lv-counter');
$counter = tally_file();
$workers = procs(8, 4);
$rounds = 5;
$res = fork_workers($workers, function () use ($name, $counter, $rounds) {
	for ($i = 0; $i < $rounds; $i++) {
		cache()->lock($name, 10)->block(30, fn() => slow_increment($counter));
	}
	return 'ok';
});
echo 'workers: ', implode(' ', array_unique($res)), "\n";
echo 'counter equals workers x rounds: ', (int)file_get_contents($counter) === $workers * $rounds ? 'yes' : 'no: ' . file_get_contents($counter), "\n";

// Another process holds the lock for 0.6 s, then releases it; a second child holds one until its
// request ends (it exits without releasing).
$name = uniq('lv-block');
$ends = uniq('lv-ends');
$released = tally_file();
$pid = pcntl_fork();
if ($pid === 0) {
	$lock = cache()->lock($name, 10);
	$lock->get();
	cache()->lock($ends, 60)->get();
	usleep(600000);
	file_put_contents($released, (string)microtime(true));
	$lock->release();
	exit(0); // request end: PayLock releases $ends
}
while (PayLock\holder(redis_store(), $name) === null) {
	usleep(5000);
}
// forceRelease() of another process's lock: freed on Redis, refused on files (a flock is its process's).
$files = new PayLock\FileStore(lock_dir());
foreach (['redis' => redis_store(), 'file' => $files] as $kind => $store) {
	$forced = uniq("lv-forced-$kind");
	$go = tally_file() . '.go';
	$out = tally_file() . '.out';
	$holder = hold_in_child($store, $forced, $go, $out);
	try {
		cache($store)->lock($forced)->forceRelease();
		echo "$kind: forceRelease of another process's lock: freed: ", yes(PayLock\holder($store, $forced) === null, "holder of $forced: " . json_encode(PayLock\holder($store, $forced))),
			', taken at once: ', yes(cache($store)->lock($forced, 10)->get(), "get() of $forced after forceRelease"), ', ';
	} catch (ForceReleaseException $e) {
		echo "$kind: forceRelease of another process's lock: ", get_class($e), ' naming its pid: ', yes(str_contains($e->getMessage(), "pid $holder"), $e->getMessage()),
			', still held: ', yes((PayLock\holder($store, $forced)['pid'] ?? null) === $holder, "holder of $forced: " . json_encode(PayLock\holder($store, $forced))), ', ';
	}
	touch($go);
	pcntl_waitpid($holder, $status);
	echo 'the old holder\'s release(): ', is_file($out) ? file_get_contents($out) : 'never ran', "\n";
}
echo 'block(5): ', cache()->lock($name, 10)->block(5, fn() => 'acquired'), "\n";
$got = microtime(true);
echo 'after the holder released: ', yes(is_file($released) && (float)file_get_contents($released) <= $got,
	"$name: acquired at $got, released at " . (is_file($released) ? file_get_contents($released) : 'never')), "\n";
pcntl_waitpid($pid, $status);
echo 'lock held at the holder\'s request end is free: ', yes(PayLock\holder(redis_store(), $ends) === null, "holder of $ends on Redis: " . json_encode(PayLock\holder(redis_store(), $ends))), "\n";
?>
--EXPECT--
workers: ok
counter equals workers x rounds: yes
redis: forceRelease of another process's lock: freed: yes, taken at once: yes, the old holder's release(): false
file: forceRelease of another process's lock: PayLock\Bridge\Laravel\ForceReleaseException naming its pid: yes, still held: yes, the old holder's release(): true
block(5): acquired
after the holder released: yes
lock held at the holder's request end is free: yes
