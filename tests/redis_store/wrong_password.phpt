--TEST--
RedisStore: a wrong password or unknown ACL user is a ConnectionException naming the server, and missing AUTH is one too
--EXTENSIONS--
paylock
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
$auth = getenv('PAYLOCK_TEST_REDIS_AUTH_PORT');
foreach (["redis://:nope@127.0.0.1:$auth", "redis://ghost:shop-pass@127.0.0.1:$auth"] as $dsn) {
	try {
		(new PayLock\RedisStore($dsn))->ping();
	} catch (PayLock\ConnectionException $e) {
		echo str_replace($auth, 'PORT', $e->getMessage()), "\n";
	}
}
// No password at all: the first lock command is refused by the server.
try {
	$l = new PayLock\Lock(new PayLock\RedisStore("redis://127.0.0.1:$auth"), 'x');
	$l->acquire();
} catch (PayLock\Exception $e) {
	echo get_class($e), ': ', str_replace($auth, 'PORT', $e->getMessage()), "\n";
}
?>
--EXPECTF--
Redis at 127.0.0.1:PORT: authentication failed: WRONGPASS invalid username-password pair or user is disabled.
Redis at 127.0.0.1:PORT: authentication failed: WRONGPASS invalid username-password pair or user is disabled.
PayLock\ConnectionException: Redis at 127.0.0.1:PORT answered: NOAUTH Authentication required.
