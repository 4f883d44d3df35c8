--TEST--
RedisStore connects by tcp DSN, unix socket, db number, password and ACL user
--EXTENSIONS--
paylock
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
$port = getenv('PAYLOCK_TEST_REDIS_PORT');
$auth = getenv('PAYLOCK_TEST_REDIS_AUTH_PORT');
$sock = getenv('PAYLOCK_TEST_REDIS_SOCK');

var_dump((new PayLock\RedisStore("redis://127.0.0.1:$port"))->ping());
var_dump((new PayLock\RedisStore("redis://localhost:$port/3"))->ping());
var_dump((new PayLock\RedisStore("unix://$sock"))->ping());
var_dump((new PayLock\RedisStore("unix://$sock?db=2"))->ping());
var_dump((new PayLock\RedisStore("redis://:s3cret@127.0.0.1:$auth"))->ping());
var_dump((new PayLock\RedisStore("redis://shop:shop-pass@127.0.0.1:$auth"))->ping());
var_dump((new PayLock\RedisStore("unix://$sock", ['persistent' => false, 'prefix' => 'x:', 'connect_timeout' => 0.5, 'read_timeout' => 2]))->ping());

// The db number is honoured: a lock taken in db 3 is invisible in db 0.
$name = uniq();
$l = new PayLock\Lock(new PayLock\RedisStore("redis://127.0.0.1:$port/3"), $name);
var_dump($l->acquire());
var_dump(PayLock\holder(new PayLock\RedisStore("redis://127.0.0.1:$port/0"), $name));
var_dump(PayLock\holder(new PayLock\RedisStore("redis://127.0.0.1:$port/3"), $name)['pid'] === getmypid());
// The prefix is honoured too.
var_dump(PayLock\holder(new PayLock\RedisStore("redis://127.0.0.1:$port/3", ['prefix' => 'other:']), $name));
var_dump(redis_raw(['SELECT', '3']) === 'OK');
$l->release();

// ini paylock.redis_dsn is the default DSN.
ini_set('paylock.redis_dsn', "redis://127.0.0.1:$port");
var_dump((new PayLock\RedisStore())->ping());
?>
--EXPECT--
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
NULL
bool(true)
NULL
bool(true)
bool(true)
