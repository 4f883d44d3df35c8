--TEST--
Passwords never appear in php --ri paylock, phpinfo() (text and HTML) or any exception or warning message: the DSN is shown as user:***@, password=*** and sentinel_password=***
--EXTENSIONS--
paylock
--INI--
pcre.jit=0
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
use PayLock\{RedisStore, Lock};

const PW = 'Sup3rSecretPw';
$auth = (int)getenv('PAYLOCK_TEST_REDIS_AUTH_PORT');
$dead = redis_server_free_port();
$seen = [];
$leaks = fn(string $text) => str_contains($text, PW) || str_contains($text, rawurlencode(PW . '&'));

// php --ri and phpinfo(), with the password in the userinfo and in the query.
$so = realpath(__DIR__ . '/../../modules/paylock.so');
foreach (["redis://shop:" . PW . "@127.0.0.1:$auth/0", "unix:///tmp/x.sock?user=shop&password=" . PW . '&db=1', 'redis+sentinel://127.0.0.1:26379/mymaster?sentinel_password=' . PW] as $dsn) {
	$out = shell_exec(escapeshellarg(PHP_BINARY) . ' -n -d extension=' . escapeshellarg($so) . ' -d ' . escapeshellarg("paylock.redis_dsn=\"$dsn\"") . ' --ri paylock 2>&1');
	preg_match('/paylock.redis_dsn => (\S+)/', (string)$out, $m);
	echo 'php --ri: ', $leaks((string)$out) ? 'LEAKS THE PASSWORD' : 'masked', ' (', $m[1] ?? 'no dsn line', ")\n";
	ini_set('paylock.redis_dsn', $dsn);
	ob_start();
	phpinfo(INFO_MODULES);
	$text = ob_get_clean();
	echo 'phpinfo(): ', $leaks($text) ? 'LEAKS THE PASSWORD' : 'masked', ', shows ***: ', yes(str_contains($text, '***'), 'no mask'), "\n";
}

// Exceptions: refused credentials, unreachable, malformed DSNs (each message checked, none printed).
$throwing = [
	'wrong password' => fn() => (new RedisStore('redis://shop:' . PW . "@127.0.0.1:$auth"))->ping(),
	'wrong password in the query' => fn() => (new RedisStore("redis://127.0.0.1:$auth?user=shop&password=" . PW))->ping(),
	'unreachable' => fn() => (new RedisStore('redis://shop:' . PW . "@127.0.0.1:$dead", ['connect_timeout' => 0.2]))->ping(),
	'bad port' => fn() => new RedisStore('redis://shop:' . PW . '@127.0.0.1:99999'),
	'bad query key' => fn() => new RedisStore('redis://127.0.0.1?password=' . PW . '&colour=blue'),
	'bad query value' => fn() => new RedisStore('redis://127.0.0.1?password=' . PW . '&read_timeout=' . PW),
	'password twice' => fn() => new RedisStore('redis://u:' . PW . '@127.0.0.1?password=' . PW),
	'defaultStore, unreachable' => function () use ($dead) {
		ini_set('paylock.store', 'redis');
		ini_set('paylock.redis_dsn', 'redis://shop:' . PW . "@127.0.0.1:$dead?connect_timeout=0.2");
		(new Lock(PayLock\defaultStore(), uniq()))->acquire();
	},
];
foreach ($throwing as $what => $fn) {
	try {
		$fn();
		echo "$what: no exception (WRONG)\n";
	} catch (Throwable $e) {
		$text = $e->getMessage() . "\n" . $e->getTraceAsString();
		echo "$what: ", get_class($e), ', ', $leaks($text) ? 'LEAKS THE PASSWORD' : 'no password', "\n";
	}
}

// Warnings: a FallbackStore degrading names the server, never the password.
ini_set('paylock.store', 'fallback');
ini_set('paylock.redis_dsn', 'redis://shop:' . PW . "@127.0.0.1:$dead?connect_timeout=0.2");
ini_set('paylock.lock_dir', lock_dir());
set_error_handler(function ($no, $msg) use ($leaks) { echo 'warning: ', $leaks($msg) ? 'LEAKS THE PASSWORD' : 'no password', "\n"; return true; });
$l = new Lock(PayLock\defaultStore(), uniq());
$got = $l->acquire();
echo 'degraded acquire: ', var_export($got, true), "\n";
?>
--EXPECTF--
php --ri: masked (redis://shop:***@127.0.0.1:%d/0)
phpinfo(): masked, shows ***: yes
php --ri: masked (unix:///tmp/x.sock?user=shop&password=***&db=1)
phpinfo(): masked, shows ***: yes
php --ri: masked (redis+sentinel://127.0.0.1:26379/mymaster?sentinel_password=***)
phpinfo(): masked, shows ***: yes
wrong password: PayLock\ConnectionException, no password
wrong password in the query: PayLock\ConnectionException, no password
unreachable: PayLock\ConnectionException, no password
bad port: ValueError, no password
bad query key: ValueError, no password
bad query value: ValueError, no password
password twice: ValueError, no password
defaultStore, unreachable: PayLock\ConnectionException, no password
warning: no password
degraded acquire: true
