--TEST--
symfony/lock bridge: PayLockStore keeps the store contract of Symfony's own stores (save, conflict, save twice, delete isolation, expiration, abort after expiration, unserializable keys) on Redis and on files
--EXTENSIONS--
paylock
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/common.inc';
require_debian('Symfony/Component/Lock/autoload.php', 'php-symfony-lock');

use PayLock\Bridge\Symfony\PayLockStore;
use Symfony\Component\Lock\Exception\LockConflictedException;
use Symfony\Component\Lock\Exception\LockExpiredException;
use Symfony\Component\Lock\Exception\UnserializableKeyException;
use Symfony\Component\Lock\Key;
use Symfony\Component\Lock\LockFactory;

function yn(bool $b): string
{
	return $b ? 'yes' : 'no';
}

function conflicts(callable $fn): string
{
	try {
		$fn();
		return 'saved';
	} catch (LockConflictedException) {
		return 'conflict';
	}
}

$stores = ['redis' => new PayLockStore(redis_store()), 'file' => new PayLockStore(new PayLock\FileStore(lock_dir()))];
foreach ($stores as $kind => $store) {
	echo "== $kind\n";
	$r = uniq('sf');
	$k1 = new Key($r);
	$k2 = new Key($r);
	$other = new Key(uniq('sf'));
	echo 'fresh key exists: ', yn($store->exists($k1)), "\n";
	$store->save($k1);
	echo 'saved key exists: ', yn($store->exists($k1)), "\n";
	echo 'other key, same resource: ', conflicts(fn() => $store->save($k2)), ', exists: ', yn($store->exists($k2)), "\n";
	echo 'other resource: ', conflicts(fn() => $store->save($other)), "\n";
	echo 'save twice: ', conflicts(fn() => $store->save($k1)), "\n";
	$store->delete($k2); // not its lock: must not free k1's
	echo 'after deleting the loser, holder exists: ', yn($store->exists($k1)), "\n";
	$store->delete($k1);
	echo 'deleted key exists: ', yn($store->exists($k1)), "\n";
	echo 'loser now: ', conflicts(fn() => $store->save($k2)), "\n";
	$store->delete($k2);
	$store->delete($other);
	echo 'delete of a key never saved: ', conflicts(fn() => $store->delete(new Key(uniq('sf')))), "\n";
	try {
		$store->save($k1);
		serialize($k1);
		echo "serialized an acquired key\n";
	} catch (UnserializableKeyException) {
		echo "acquired key: unserializable\n";
	}
	$store->delete($k1);
}

echo "== redis: expiration\n";
$store = $stores['redis'];
$key = new Key(uniq('sf'));
$store->save($key);
$store->putOffExpiration($key, 0.3);
$left = $key->getRemainingLifetime();
echo 'remaining lifetime within the ttl: ', yn($left > 0 && $left <= 0.3), "\n";
usleep(450000);
echo 'exists after its ttl: ', yn($store->exists($key)), "\n";
echo 'refresh after expiry: ', conflicts(fn() => $store->putOffExpiration($key, 1.0)), "\n";
$taker = new Key((string)$key);
echo 'another key takes the expired lock: ', conflicts(fn() => $store->save($taker)), "\n";
$store->delete($taker);

$key = new Key(uniq('sf'));
$store->save($key);
try {
	$store->putOffExpiration($key, 1 / 1000000);
	echo "no expiry reported\n";
} catch (LockExpiredException) {
	echo 'microsecond ttl: LockExpiredException, lock freed: ', yn(!$store->exists($key) && conflicts(fn() => $store->save(new Key((string)$key))) === 'saved'), "\n";
}

echo "== LockFactory\n";
$factory = new LockFactory($store);
$name = uniq('sf');
$a = $factory->createLock($name, 5.0);
$b = $factory->createLock($name, 5.0);
echo 'a acquires: ', yn($a->acquire()), ', b acquires: ', yn($b->acquire()), "\n";
$left = $a->getRemainingLifetime();
echo 'a remaining lifetime in (4, 5]: ', yn($left > 4 && $left <= 5), "\n";
$a->refresh(10.0);
echo 'after refresh(10) in (9, 10]: ', yn($a->getRemainingLifetime() > 9), ', PayLock holder ttl > 9: ', yn(PayLock\holder(redis_store(), $name)['ttl'] > 9), "\n";
$a->release();
echo 'a released, b acquires: ', yn($b->acquire()), ", a isAcquired: ", yn($a->isAcquired()), "\n";
unset($b); // autoRelease
echo 'b destroyed, holder: ', var_export(PayLock\holder(redis_store(), $name), true), "\n";
$c = $factory->createLock($name, 5.0, autoRelease: false);
$c->acquire();
unset($c); // no autoRelease: the Key still holds it ... until the Key is gone too (a PayLock lock ends with its object)
echo 'autoRelease false, Lock and Key destroyed, holder: ', var_export(PayLock\holder(redis_store(), $name), true), "\n";

echo "== Redis down\n";
$down = new LockFactory(new PayLockStore(new PayLock\RedisStore('redis://127.0.0.1:1', ['connect_timeout' => 0.2])));
try {
	$down->createLock(uniq('sf'))->acquire();
	echo "acquired without Redis\n";
} catch (Symfony\Component\Lock\Exception\LockAcquiringException $e) {
	echo get_class($e), ' <- ', get_class($e->getPrevious()), ' <- ', get_class($e->getPrevious()->getPrevious()), "\n";
}
?>
--EXPECT--
== redis
fresh key exists: no
saved key exists: yes
other key, same resource: conflict, exists: no
other resource: saved
save twice: saved
after deleting the loser, holder exists: yes
deleted key exists: no
loser now: saved
delete of a key never saved: saved
acquired key: unserializable
== file
fresh key exists: no
saved key exists: yes
other key, same resource: conflict, exists: no
other resource: saved
save twice: saved
after deleting the loser, holder exists: yes
deleted key exists: no
loser now: saved
delete of a key never saved: saved
acquired key: unserializable
== redis: expiration
remaining lifetime within the ttl: yes
exists after its ttl: no
refresh after expiry: conflict
another key takes the expired lock: saved
microsecond ttl: LockExpiredException, lock freed: yes
== LockFactory
a acquires: yes, b acquires: no
a remaining lifetime in (4, 5]: yes
after refresh(10) in (9, 10]: yes, PayLock holder ttl > 9: yes
a released, b acquires: yes, a isAcquired: no
b destroyed, holder: NULL
autoRelease false, Lock and Key destroyed, holder: NULL
== Redis down
Symfony\Component\Lock\Exception\LockAcquiringException <- Symfony\Component\Lock\Exception\LockStorageException <- PayLock\ConnectionException
