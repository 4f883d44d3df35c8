--TEST--
RedisStore validation: ports all digits 1-65535, unix paths that fit sun_path, timeouts of at least 1 ms; each DSN error names the wrong part and hints at URL-encoding
--EXTENSIONS--
paylock
--INI--
pcre.jit=0
--FILE--
<?php
$long = '/tmp/' . str_repeat('s', 120) . '.sock';
$cases = [
	'port 0' => ['redis://127.0.0.1:0', []],
	'port with a letter' => ['redis://127.0.0.1:63a9', []],
	'port too big' => ['redis://127.0.0.1:70000', []],
	'empty port' => ['redis://127.0.0.1:', []],
	'IPv6 port 0' => ['redis://[::1]:0', []],
	'unix path past sun_path' => ["unix://$long", []],
	'password with a slash' => ['redis://shop:pa/ss@127.0.0.1:6379', []],
	'db not a number' => ['redis://127.0.0.1:6379/x', []],
	'unknown scheme' => ['http://127.0.0.1', []],
	'unix query' => ['unix:///tmp/x.sock?db=abc', []],
	'read_timeout 1 µs' => ['redis://127.0.0.1', ['read_timeout' => 0.000001]],
	'connect_timeout 0.5 ms' => ['redis://127.0.0.1', ['connect_timeout' => 0.0005]],
];
foreach ($cases as $what => [$dsn, $opts]) {
	try {
		new PayLock\RedisStore($dsn, $opts);
		echo "$what: accepted\n";
	} catch (ValueError $e) {
		$m = $e->getMessage();
		echo "$what: ", preg_match('/is not a valid DSN: ([^;]+);/', $m, $x) ? $x[1] : $m,
			str_contains($m, 'URL-encode') || !str_contains($m, 'DSN') ? '' : ' (NO URL-ENCODING HINT)', "\n";
	}
}
// Valid edge cases still accepted.
foreach (['redis://127.0.0.1:1', 'redis://127.0.0.1:65535/0', 'redis://[::1]:6379', 'redis://sh%40p:p%2Fw%3A@127.0.0.1', 'unix:///' . str_repeat('s', 100)] as $dsn) {
	new PayLock\RedisStore($dsn, ['read_timeout' => 0.001]);
	echo "ok\n";
}
?>
--EXPECT--
port 0: the port must be a number from 1 to 65535, digits only
port with a letter: the port must be a number from 1 to 65535, digits only
port too big: the port must be a number from 1 to 65535, digits only
empty port: the port must be a number from 1 to 65535, digits only
IPv6 port 0: the port must be a number from 1 to 65535, digits only
unix path past sun_path: the socket path is longer than a unix socket address can hold (107 bytes)
password with a slash: the port must be a number from 1 to 65535, digits only
db not a number: the database number (path /N) must be 0 to 99999
unknown scheme: the scheme must be redis://, rediss:// or unix://
unix query: query parameter "db" must be a database number from 0 to 99999
read_timeout 1 µs: PayLock\RedisStore::__construct(): Argument #2 ($options) option "read_timeout" must be at least 0.001 seconds (1 ms)
connect_timeout 0.5 ms: PayLock\RedisStore::__construct(): Argument #2 ($options) option "connect_timeout" must be at least 0.001 seconds (1 ms)
ok
ok
ok
ok
ok
