--TEST--
RedisStore rejects malformed DSNs and options with ValueError/TypeError, and bad tls options
--EXTENSIONS--
paylock
--FILE--
<?php
$cases = [
	['', []],
	['127.0.0.1:6379', []],
	['http://127.0.0.1', []],
	['redis://', []],
	['redis://127.0.0.1:6379/abc', []],
	['redis://127.0.0.1:6379?db=1&db2=1', []],
	['unix://', []],
	['unix:///tmp/x.sock?color=blue', []],
	["redis://127.0.0.1\0:6379", []],
	['redis://127.0.0.1', ['conect_timeout' => 1]],
	['redis://127.0.0.1', ['connect_timeout' => 0]],
	['redis://127.0.0.1', ['read_timeout' => -1]],
	['redis://127.0.0.1', ['read_timeout' => NAN]],
	['redis://127.0.0.1', ['connect_timeout' => '1']],
	['redis://127.0.0.1', ['persistent' => 1]],
	['redis://127.0.0.1', ['prefix' => 5]],
	['redis://127.0.0.1', ['prefix' => str_repeat('p', 257)]],
	['redis://127.0.0.1', [1.0]],
	['rediss://127.0.0.1:6380', []],
	['redis://127.0.0.1', ['tls' => []]],
	['unix:///tmp/r.sock', ['tls' => []]],
	['rediss://127.0.0.1', ['tls' => 'yes']],
	['rediss://127.0.0.1', ['tls' => ['cafil' => '/ca.pem']]],
	['rediss://127.0.0.1', ['tls' => ['verify_peer' => 1]]],
	['rediss://127.0.0.1', ['tls' => ['cafile' => '']]],
	['rediss://127.0.0.1', ['tls' => ['local_pk' => '/k.pem']]],
	['rediss://127.0.0.1', ['tls' => [1]]],
];
foreach ($cases as [$dsn, $opts]) {
	try {
		new PayLock\RedisStore($dsn, $opts);
		echo "accepted\n";
	} catch (Throwable $e) {
		echo get_class($e), ': ', $e->getMessage(), "\n";
	}
}
// Half-built objects cannot exist: PHP refuses to skip the constructor of a final internal class.
try {
	(new ReflectionClass(PayLock\RedisStore::class))->newInstanceWithoutConstructor();
} catch (ReflectionException $e) {
	echo get_class($e), "\n";
}
?>
--EXPECT--
ValueError: PayLock\RedisStore::__construct(): Argument #1 ($dsn) is not a valid DSN: the scheme must be redis://, rediss:// or unix://; expected redis://[user[:password]@]host[:port][/db][?option=value&...] or unix:///path/to/redis.sock[?db=N&user=U&password=P&option=value...] (URL-encode @ : / ? # in user names and passwords: %40 %3A %2F %3F %23)
ValueError: PayLock\RedisStore::__construct(): Argument #1 ($dsn) is not a valid DSN: the scheme must be redis://, rediss:// or unix://; expected redis://[user[:password]@]host[:port][/db][?option=value&...] or unix:///path/to/redis.sock[?db=N&user=U&password=P&option=value...] (URL-encode @ : / ? # in user names and passwords: %40 %3A %2F %3F %23)
ValueError: PayLock\RedisStore::__construct(): Argument #1 ($dsn) is not a valid DSN: the scheme must be redis://, rediss:// or unix://; expected redis://[user[:password]@]host[:port][/db][?option=value&...] or unix:///path/to/redis.sock[?db=N&user=U&password=P&option=value...] (URL-encode @ : / ? # in user names and passwords: %40 %3A %2F %3F %23)
ValueError: PayLock\RedisStore::__construct(): Argument #1 ($dsn) is not a valid DSN: the host is missing or malformed; expected redis://[user[:password]@]host[:port][/db][?option=value&...] or unix:///path/to/redis.sock[?db=N&user=U&password=P&option=value...] (URL-encode @ : / ? # in user names and passwords: %40 %3A %2F %3F %23)
ValueError: PayLock\RedisStore::__construct(): Argument #1 ($dsn) is not a valid DSN: the database number (path /N) must be 0 to 99999; expected redis://[user[:password]@]host[:port][/db][?option=value&...] or unix:///path/to/redis.sock[?db=N&user=U&password=P&option=value...] (URL-encode @ : / ? # in user names and passwords: %40 %3A %2F %3F %23)
ValueError: PayLock\RedisStore::__construct(): Argument #1 ($dsn) is not a valid DSN: unknown query parameter "db2" (known: db, user, password, connect_timeout, read_timeout, persistent, prefix, replicas, replica_timeout)
ValueError: PayLock\RedisStore::__construct(): Argument #1 ($dsn) is not a valid DSN: the socket path must be absolute (unix:///path/to/redis.sock); expected redis://[user[:password]@]host[:port][/db][?option=value&...] or unix:///path/to/redis.sock[?db=N&user=U&password=P&option=value...] (URL-encode @ : / ? # in user names and passwords: %40 %3A %2F %3F %23)
ValueError: PayLock\RedisStore::__construct(): Argument #1 ($dsn) is not a valid DSN: unknown query parameter "color" (known: db, user, password, connect_timeout, read_timeout, persistent, prefix, replicas, replica_timeout)
ValueError: PayLock\RedisStore::__construct(): Argument #1 ($dsn) is not a valid DSN: it contains a NUL byte; expected redis://[user[:password]@]host[:port][/db][?option=value&...] or unix:///path/to/redis.sock[?db=N&user=U&password=P&option=value...] (URL-encode @ : / ? # in user names and passwords: %40 %3A %2F %3F %23)
ValueError: PayLock\RedisStore::__construct(): Argument #2 ($options) contains unknown option "conect_timeout" (known: connect_timeout, read_timeout, persistent, prefix, tls, replicas, replica_timeout)
ValueError: PayLock\RedisStore::__construct(): Argument #2 ($options) option "connect_timeout" must be greater than 0 and at most 3600 seconds
ValueError: PayLock\RedisStore::__construct(): Argument #2 ($options) option "read_timeout" must be greater than 0 and at most 3600 seconds
ValueError: PayLock\RedisStore::__construct(): Argument #2 ($options) option "read_timeout" must be greater than 0 and at most 3600 seconds
TypeError: PayLock\RedisStore::__construct(): Argument #2 ($options) option "connect_timeout" must be of type float, string given
TypeError: PayLock\RedisStore::__construct(): Argument #2 ($options) option "persistent" must be of type bool, int given
TypeError: PayLock\RedisStore::__construct(): Argument #2 ($options) option "prefix" must be of type string, int given
ValueError: PayLock\RedisStore::__construct(): Argument #2 ($options) option "prefix" must be at most 256 bytes long
ValueError: PayLock\RedisStore::__construct(): Argument #2 ($options) must be an array with string keys
accepted
accepted
ValueError: PayLock\RedisStore::__construct(): Argument #2 ($options) option "tls" needs a TCP DSN (rediss:// or redis://), not unix://
TypeError: PayLock\RedisStore::__construct(): Argument #2 ($options) option "tls" must be of type array, string given
ValueError: PayLock\RedisStore::__construct(): Argument #2 ($options) option "tls" contains unknown key "cafil" (known: cafile, capath, local_cert, local_pk, passphrase, verify_peer, verify_peer_name, peer_name, ciphers)
TypeError: PayLock\RedisStore::__construct(): Argument #2 ($options) option "tls" key "verify_peer" must be of type bool, int given
ValueError: PayLock\RedisStore::__construct(): Argument #2 ($options) option "tls" key "cafile" must be a non-empty string without NUL bytes
ValueError: PayLock\RedisStore::__construct(): Argument #2 ($options) option "tls" key "local_pk" needs "local_cert"
ValueError: PayLock\RedisStore::__construct(): Argument #2 ($options) option "tls" must be an array with string keys (cafile, capath, local_cert, local_pk, passphrase, verify_peer, verify_peer_name, peer_name, ciphers)
ReflectionException
