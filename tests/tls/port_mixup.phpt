--TEST--
TLS: redis:// to a TLS port and rediss:// to a plain port each say what is wrong ("this port speaks TLS, use rediss://", "does not speak TLS"), as a configuration error that FallbackStore does not degrade on; a plain port that drops a fresh connection is still an outage
--EXTENSIONS--
paylock
posix
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
--FILE--
<?php
require __DIR__ . '/../_support/tls.inc';
require_once __DIR__ . '/../_support/faults.inc';

$tls_port = (int)parse_url(tls_dsn(), PHP_URL_PORT);
$plain_port = (int)getenv('PAYLOCK_TEST_REDIS_PORT');
$cases = [
	'redis:// to the TLS port' => ["redis://127.0.0.1:$tls_port", []],
	'rediss:// to the plain port' => ["rediss://127.0.0.1:$plain_port", tls_options()],
];
foreach ($cases as $what => [$dsn, $opts]) {
	$opts += ['persistent' => false, 'read_timeout' => 2, 'connect_timeout' => 0.5];
	echo "$what: ", tls_outcome(new PayLock\RedisStore($dsn, $opts)), "\n";
	echo "$what, FallbackStore: ", tls_fallback(new PayLock\RedisStore($dsn, $opts)), "\n";
}

// A plain port whose connection is cut before the first reply is not a TLS port: an outage, degraded on.
$p = fault_proxy($plain_port);
fault_proxy_arm($p, 'cut', 'EVALSHA'); // the first command of a fresh connection
$store = new PayLock\RedisStore("redis://127.0.0.1:{$p['port']}", ['persistent' => false]);
try {
	$store->ping();
	echo "cut plain connection: answered\n";
} catch (PayLock\Exception $e) {
	echo 'cut plain connection: ', get_class($e), "\n";
}
fault_proxy_stop($p);
?>
--EXPECTF--
redis:// to the TLS port: PayLock\StoreException: Redis at 127.0.0.1:PORT closed the connection before answering PayLock's first command (%s) and answers a TLS handshake: a configuration error; this port speaks TLS, use rediss://
redis:// to the TLS port, FallbackStore: not degraded: PayLock\StoreException
rediss:// to the plain port: PayLock\StoreException: Redis at 127.0.0.1:PORT does not speak TLS on this port (%s): a configuration error; use redis:// for a plain port
rediss:// to the plain port, FallbackStore: not degraded: PayLock\StoreException
cut plain connection: PayLock\ConnectionException
