--TEST--
Laravel bridge: Cache::lock() on a Repository over PayLockCacheStore keeps the semantics of Laravel's lock tests (get, get with a callback, no second acquire, release by owner only, owner(), restoreLock(), expiry, block() timeout and callback, forceRelease()) on Redis and on files
--EXTENSIONS--
paylock
mbstring
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/common.inc';
require_debian('Illuminate/Cache/autoload.php', 'php-illuminate-cache');

use Illuminate\Cache\ArrayStore;
use Illuminate\Cache\Repository;
use Illuminate\Contracts\Cache\LockTimeoutException;
use PayLock\Bridge\Laravel\PayLockCacheStore;

function yn(mixed $b): string
{
	return $b === true ? 'yes' : ($b === false ? 'no' : var_export($b, true));
}

$stores = ['redis' => redis_store(), 'file' => new PayLock\FileStore(lock_dir())];
foreach ($stores as $kind => $paylock) {
	echo "== $kind\n";
	$cache = new Repository(new PayLockCacheStore(new ArrayStore(), $paylock));
	$cache->put('k', 'v', 10);
	echo 'values kept in the inner store: ', $cache->get('k'), "\n";

	$name = uniq('lv');
	$first = $cache->lock($name, 10);
	echo 'get: ', yn($first->get()), ', another lock get: ', yn($cache->lock($name, 10)->get()), ', same object again: ', yn($first->get()), "\n";
	echo 'release by another owner: ', yn($cache->lock($name, 10)->release()), ', still held: ', yn(!$cache->lock($name, 10)->get()), "\n";
	echo 'release by owner: ', yn($first->release()), ', twice: ', yn($first->release()), "\n";
	echo 'get with callback: ', $cache->lock($name, 10)->get(fn() => 'ran'), ', released after it: ', yn($cache->lock($name, 10)->get(fn() => 'again')), "\n";

	$owned = $cache->lock($name, 10, 'worker-7');
	$random = $cache->lock($name, 10);
	echo 'owner: ', $owned->owner(), ', random owner length: ', strlen($random->owner()), "\n";
	$owned->get();
	$first = null; // the Laravel object going away does not release (Laravel's drivers do not either)
	unset($owned);
	echo 'after the object is gone, still held: ', yn(!$cache->lock($name, 10)->get()), "\n";
	echo 'restoreLock with another owner releases: ', yn($cache->restoreLock($name, 'worker-8')->release()), "\n";
	echo 'restoreLock with the owner releases: ', yn($cache->restoreLock($name, 'worker-7')->release()), ', free: ', yn($cache->lock($name, 10)->get(fn() => true)), "\n";

	$held = $cache->lock($name, 10);
	$held->get();
	$t = microtime(true);
	try {
		$cache->lock($name, 10)->block(1);
		echo "block: acquired a held lock\n";
	} catch (LockTimeoutException) {
		$waited = microtime(true) - $t;
		echo 'block(1) on a held lock: LockTimeoutException after ~1 s: ', yn($waited >= 0.95 && $waited < 3), "\n";
	}
	$cache->lock($name)->forceRelease();
	echo 'forceRelease (held in this process): ', yn($cache->lock($name, 10)->block(1, fn() => 'callback ran')), "\n";
	echo 'the forced holder releases: ', yn($held->release()), "\n";
}

echo "== redis: expiry\n";
$cache = new Repository(new PayLockCacheStore(new ArrayStore(), $stores['redis']));
$name = uniq('lv');
$cache->lock($name, 1)->get();
echo 'held: ', yn(!$cache->lock($name, 1)->get()), "\n";
usleep(1150000);
$next = $cache->lock($name, 1);
echo 'after its seconds, another acquires: ', yn($next->get()), "\n";
$next->release();
$forever = $cache->lock($name);
$forever->get();
echo 'seconds 0: lease of PayLock\'s longest (30 days): ', yn(PayLock\holder($stores['redis'], $name)['ttl'] > 2591000), "\n";
$forever->release();

echo "== prefix\n";
$inner = new ArrayStore();
$prefixed = new class ($inner) extends Illuminate\Cache\TaggableStore implements Illuminate\Contracts\Cache\Store {
	public function __construct(private ArrayStore $s) {}
	public function get($key) { return $this->s->get($key); }
	public function many(array $keys) { return $this->s->many($keys); }
	public function put($key, $value, $seconds) { return $this->s->put($key, $value, $seconds); }
	public function putMany(array $values, $seconds) { return $this->s->putMany($values, $seconds); }
	public function increment($key, $value = 1) { return $this->s->increment($key, $value); }
	public function decrement($key, $value = 1) { return $this->s->decrement($key, $value); }
	public function forever($key, $value) { return $this->s->forever($key, $value); }
	public function forget($key) { return $this->s->forget($key); }
	public function flush() { return $this->s->flush(); }
	public function getPrefix() { return 'shop1:'; }
};
$cache = new Repository(new PayLockCacheStore($prefixed, $stores['redis']));
$name = uniq('lv');
$lock = $cache->lock($name, 10);
$lock->get();
echo 'lock name carries the cache prefix: ', yn(PayLock\holder($stores['redis'], "shop1:$name") !== null), "\n";
$lock->release();

echo "== Redis down\n";
$down = new Repository(new PayLockCacheStore(new ArrayStore(), new PayLock\RedisStore('redis://127.0.0.1:1', ['connect_timeout' => 0.2])));
try {
	$down->lock(uniq('lv'), 10)->get();
	echo "acquired without Redis\n";
} catch (PayLock\ConnectionException $e) {
	echo get_class($e), "\n";
}
?>
--EXPECT--
== redis
values kept in the inner store: v
get: yes, another lock get: no, same object again: no
release by another owner: no, still held: yes
release by owner: yes, twice: no
get with callback: ran, released after it: 'again'
owner: worker-7, random owner length: 16
after the object is gone, still held: yes
restoreLock with another owner releases: no
restoreLock with the owner releases: yes, free: yes
block(1) on a held lock: LockTimeoutException after ~1 s: yes
forceRelease (held in this process): 'callback ran'
the forced holder releases: no
== file
values kept in the inner store: v
get: yes, another lock get: no, same object again: no
release by another owner: no, still held: yes
release by owner: yes, twice: no
get with callback: ran, released after it: 'again'
owner: worker-7, random owner length: 16
after the object is gone, still held: yes
restoreLock with another owner releases: no
restoreLock with the owner releases: yes, free: yes
block(1) on a held lock: LockTimeoutException after ~1 s: yes
forceRelease (held in this process): 'callback ran'
the forced holder releases: no
== redis: expiry
held: yes
after its seconds, another acquires: yes
seconds 0: lease of PayLock's longest (30 days): yes
== prefix
lock name carries the cache prefix: yes
== Redis down
PayLock\ConnectionException
