--TEST--
Lock: bad names, TTLs and waits are ValueErrors naming the argument; wrong types are TypeErrors
--EXTENSIONS--
paylock
--SKIPIF--
<?php
require_once __DIR__ . '/../_support/over.inc';
skip_over(['cluster', 'sentinel'], 'never contacts Redis (argument and object checks against an unreachable DSN)');
?>
--FILE--
<?php
$store = new PayLock\RedisStore('redis://127.0.0.1:1');   // never contacted: arguments are checked first
function t(callable $f) {
	try { $f(); echo "ok\n"; } catch (Throwable $e) { echo get_class($e), ': ', $e->getMessage(), "\n"; }
}
t(fn() => new PayLock\Lock($store, ''));
t(fn() => new PayLock\Lock($store, str_repeat('n', 1025)));
t(fn() => new PayLock\Lock($store, str_repeat('n', 1024)));
t(fn() => new PayLock\Lock($store, "a\0b"));
t(fn() => new PayLock\Lock($store, 'x', 0));
t(fn() => new PayLock\Lock($store, 'x', -1));
t(fn() => new PayLock\Lock($store, 'x', NAN));
t(fn() => new PayLock\Lock($store, 'x', INF));
t(fn() => new PayLock\Lock($store, 'x', 30 * 86400 + 1));
t(fn() => new PayLock\Lock($store, 'x', 30 * 86400));
t(fn() => new PayLock\Lock($store, 'x', 0.0001));
t(fn() => new PayLock\Lock($store, 'x', 'soon'));
t(fn() => new PayLock\Lock(new stdClass, 'x'));
t(fn() => new PayLock\Lock($store, ['x']));
$l = new PayLock\Lock($store, 'x');
t(fn() => $l->acquire(-0.5));
t(fn() => $l->acquire(NAN));
t(fn() => $l->acquireOrFail(-1));
t(fn() => $l->run(fn() => 1, -1));
t(fn() => $l->run('no_such_function'));
t(fn() => $l->refresh(0));
t(fn() => $l->refresh());
t(fn() => $l->fencingToken());
t(fn() => PayLock\holder($store, ''));
t(fn() => $l->__construct($store, 'y'));
?>
--EXPECT--
ValueError: PayLock\Lock::__construct(): Argument #2 ($name) cannot be empty
ValueError: PayLock\Lock::__construct(): Argument #2 ($name) must be at most 1024 bytes long
ok
ok
ValueError: PayLock\Lock::__construct(): Argument #3 ($ttl) must be a finite number greater than 0
ValueError: PayLock\Lock::__construct(): Argument #3 ($ttl) must be a finite number greater than 0
ValueError: PayLock\Lock::__construct(): Argument #3 ($ttl) must be a finite number greater than 0
ValueError: PayLock\Lock::__construct(): Argument #3 ($ttl) must be a finite number greater than 0
ValueError: PayLock\Lock::__construct(): Argument #3 ($ttl) must be at most 2592000 seconds (30 days)
ok
ok
TypeError: PayLock\Lock::__construct(): Argument #3 ($ttl) must be of type ?float, string given
TypeError: PayLock\Lock::__construct(): Argument #1 ($store) must be of type PayLock\Store, stdClass given
TypeError: PayLock\Lock::__construct(): Argument #2 ($name) must be of type string, array given
ValueError: PayLock\Lock::acquire(): Argument #1 ($wait) must be a finite number greater than or equal to 0
ValueError: PayLock\Lock::acquire(): Argument #1 ($wait) must be a finite number greater than or equal to 0
ValueError: PayLock\Lock::acquireOrFail(): Argument #1 ($wait) must be a finite number greater than or equal to 0
ValueError: PayLock\Lock::run(): Argument #2 ($wait) must be a finite number greater than or equal to 0
TypeError: PayLock\Lock::run(): Argument #1 ($fn) must be a valid callback, function "no_such_function" not found or invalid function name
ValueError: PayLock\Lock::refresh(): Argument #1 ($ttl) must be a finite number greater than 0
PayLock\LockLostException: Lock "x" is no longer held: its lease expired or another holder took it
PayLock\LockLostException: Lock "x" is no longer held: its lease expired or another holder took it
ValueError: PayLock\holder(): Argument #2 ($name) cannot be empty
Error: Cannot call PayLock\Lock::__construct() twice
