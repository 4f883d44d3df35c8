--TEST--
Lock and RedisStore are final, cannot be cloned, serialized, given dynamic properties, or implemented in userland
--EXTENSIONS--
paylock
--SKIPIF--
<?php
require_once __DIR__ . '/../_support/over.inc';
skip_over(['cluster', 'sentinel'], 'never contacts Redis (argument and object checks against an unreachable DSN)');
?>
--FILE--
<?php
$store = new PayLock\RedisStore('redis://127.0.0.1:1');
$lock = new PayLock\Lock($store, 'x');
foreach ([$store, $lock] as $o) {
	$c = get_class($o);
	try { clone $o; } catch (Error $e) { echo "$c clone: ", $e->getMessage(), "\n"; }
	try { serialize($o); } catch (Exception $e) { echo "$c serialize: ", $e->getMessage(), "\n"; }
	try { $o->extra = 1; } catch (Error $e) { echo "$c property: ", $e->getMessage(), "\n"; }
	var_dump((new ReflectionClass($o))->isFinal());
}
try {
	(new ReflectionClass(PayLock\Lock::class))->newInstanceWithoutConstructor();
} catch (ReflectionException $e) {
	echo "Lock without constructor: refused\n";
}
var_dump(is_subclass_of(PayLock\LockTimeoutException::class, PayLock\Exception::class),
	is_subclass_of(PayLock\Exception::class, RuntimeException::class));
eval('class MyStore implements PayLock\Store {}');
?>
--EXPECTF--
PayLock\RedisStore clone: Trying to clone an uncloneable object of class PayLock\RedisStore
PayLock\RedisStore serialize: Serialization of 'PayLock\RedisStore' is not allowed
PayLock\RedisStore property: Cannot create dynamic property PayLock\RedisStore::$extra
bool(true)
PayLock\Lock clone: Trying to clone an uncloneable object of class PayLock\Lock
PayLock\Lock serialize: Serialization of 'PayLock\Lock' is not allowed
PayLock\Lock property: Cannot create dynamic property PayLock\Lock::$extra
bool(true)
Lock without constructor: refused
bool(true)
bool(true)

Fatal error: MyStore cannot implement PayLock\Store: use RedisStore, FileStore or FallbackStore in %s on line %d
