--TEST--
TLS: a wrong CA, a certificate for another name and an expired certificate are refused with OpenSSL's reason and the expected name, as a configuration error (StoreException) that FallbackStore does not degrade on
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

$d = tls_dir();
$cases = ['wrong CA' => [tls_dsn(), ['cafile' => "$d/other-ca.crt"]]];
[$other, $other_port] = tls_private_redis('other');
$cases['certificate for redis.example.com'] = ["rediss://127.0.0.1:$other_port", []];
$cases['same, checked as peer_name'] = ["rediss://127.0.0.1:$other_port", ['peer_name' => 'redis.example.com']];
$cases['same, by name localhost'] = ["rediss://localhost:$other_port", []];
[$expired, $expired_port] = tls_private_redis('expired');
$cases['expired certificate'] = ["rediss://127.0.0.1:$expired_port", []];
$cases['expired, verify_peer off'] = ["rediss://127.0.0.1:$expired_port", ['verify_peer' => false]];
$cases['other name, verify_peer_name off'] = ["rediss://127.0.0.1:$other_port", ['verify_peer_name' => false]];
foreach ($cases as $what => [$dsn, $tls]) {
	$opts = tls_options($tls, ['persistent' => false]);
	echo "$what: ", tls_outcome(new PayLock\RedisStore($dsn, $opts)), "\n";
	echo "$what, FallbackStore: ", tls_fallback(new PayLock\RedisStore($dsn, $opts)), "\n";
}
?>
--EXPECT--
wrong CA: PayLock\StoreException: TLS: the certificate of Redis at 127.0.0.1:PORT was not accepted: self-signed certificate in certificate chain (expected name "127.0.0.1"): a configuration error; set the tls option cafile to the CA that signed the server's certificate, or peer_name to the name it carries
wrong CA, FallbackStore: not degraded: PayLock\StoreException
certificate for redis.example.com: PayLock\StoreException: TLS: the certificate of Redis at 127.0.0.1:PORT was not accepted: IP address mismatch (expected name "127.0.0.1"): a configuration error; set the tls option cafile to the CA that signed the server's certificate, or peer_name to the name it carries
certificate for redis.example.com, FallbackStore: not degraded: PayLock\StoreException
same, checked as peer_name: acquired
same, checked as peer_name, FallbackStore: acquired on Redis
same, by name localhost: PayLock\StoreException: TLS: the certificate of Redis at localhost:PORT was not accepted: hostname mismatch (expected name "localhost"): a configuration error; set the tls option cafile to the CA that signed the server's certificate, or peer_name to the name it carries
same, by name localhost, FallbackStore: not degraded: PayLock\StoreException
expired certificate: PayLock\StoreException: TLS: the certificate of Redis at 127.0.0.1:PORT was not accepted: certificate has expired (expected name "127.0.0.1"): a configuration error; set the tls option cafile to the CA that signed the server's certificate, or peer_name to the name it carries
expired certificate, FallbackStore: not degraded: PayLock\StoreException
expired, verify_peer off: acquired
expired, verify_peer off, FallbackStore: acquired on Redis
other name, verify_peer_name off: acquired
other name, verify_peer_name off, FallbackStore: acquired on Redis
