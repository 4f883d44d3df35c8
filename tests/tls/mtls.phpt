--TEST--
TLS: a server that requires client certificates accepts local_cert/local_pk (also a key with a passphrase) and refuses a client without one with a message that names the fix, as a configuration error FallbackStore does not degrade on
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
[$r, $port] = tls_private_redis('server', 'yes');
$dsn = "rediss://127.0.0.1:$port";
// The client key again, encrypted with a passphrase.
$enc = (getenv('PAYLOCK_TEST_TMP') ?: sys_get_temp_dir()) . '/client-enc-' . getmypid() . '.key';
exec('openssl pkey -in ' . escapeshellarg("$d/client.key") . ' -aes256 -passout pass:s3cret -out ' . escapeshellarg($enc));
$cases = [
	'client certificate' => ['local_cert' => "$d/client.crt", 'local_pk' => "$d/client.key"],
	'encrypted key + passphrase' => ['local_cert' => "$d/client.crt", 'local_pk' => $enc, 'passphrase' => 's3cret'],
	'no client certificate' => [],
	'wrong passphrase' => ['local_cert' => "$d/client.crt", 'local_pk' => $enc, 'passphrase' => 'nope'],
];
foreach ($cases as $what => $tls) {
	$opts = tls_options($tls, ['persistent' => false]);
	echo "$what: ", tls_outcome(new PayLock\RedisStore($dsn, $opts)), "\n";
	echo "$what, FallbackStore: ", tls_fallback(new PayLock\RedisStore($dsn, $opts)), "\n";
}
@unlink($enc);
?>
--EXPECTF--
client certificate: acquired
client certificate, FallbackStore: acquired on Redis
encrypted key + passphrase: acquired
encrypted key + passphrase, FallbackStore: acquired on Redis
no client certificate: PayLock\StoreException: Redis at 127.0.0.1:PORT%sset the tls options local_cert and local_pk
no client certificate, FallbackStore: not degraded: PayLock\StoreException
wrong passphrase: PayLock\StoreException: TLS for Redis at 127.0.0.1:PORT: cannot load the client key (tls local_pk, passphrase) (OpenSSL: %s): a configuration error
wrong passphrase, FallbackStore: not degraded: PayLock\StoreException
