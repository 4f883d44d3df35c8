--TEST--
TLS: rediss:// with the test CA (tls option or openssl.cafile) verifies 127.0.0.1 and localhost, and locks, fencing tokens, the FIFO hand-off (BLPOP) and idempotency records work over it; php --ri reports TLS
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
--FILE--
<?php
require __DIR__ . '/../_support/tls.inc';

ob_start();
phpinfo(INFO_MODULES);
$info = ob_get_clean();
echo 'php --ri: ', yes(str_contains($info, 'TLS support (rediss://) => yes') && preg_match('/TLS library => OpenSSL \d/', $info) === 1, $info), "\n";

$dsn = tls_dsn();
$store = new PayLock\RedisStore($dsn, tls_options());
echo 'ping over TLS (127.0.0.1, IP SAN): ', truth($store->ping(), 'ping'), "\n";
$byname = new PayLock\RedisStore(str_replace('127.0.0.1', 'localhost', $dsn), tls_options());
echo 'ping over TLS (localhost, SNI + DNS SAN): ', truth($byname->ping(), 'ping'), "\n";
// openssl.cafile is PHP_INI_PERDIR: a second php started with it, and no tls option.
$php = [PHP_BINARY, '-n', '-d', 'extension=' . tls_extension_path(), '-d', 'openssl.cafile=' . tls_dir() . '/ca.crt', '-r',
	'var_export((new PayLock\RedisStore(getenv("PAYLOCK_TEST_REDIS_TLS")))->ping());'];
$out = shell_exec(implode(' ', array_map('escapeshellarg', $php)) . ' 2>&1');
echo 'openssl.cafile instead of the option: ', yes($out === 'true', (string)$out), "\n";
echo 'tls option alone turns TLS on: ', truth((new PayLock\RedisStore(str_replace('rediss://', 'redis://', $dsn), tls_options()))->ping(), 'ping'), "\n";

$name = uniq();
$a = new PayLock\Lock($store, $name, 10);
echo 'acquire: ', truth($a->acquire(), 'acquire'), "\n";
$t1 = $a->fencingToken();
// The FIFO hand-off: a forked waiter blocks in BLPOP on its own TLS connection and is woken by release().
$pid = pcntl_fork();
if ($pid === 0) {
	$b = new PayLock\Lock(new PayLock\RedisStore($dsn, tls_options()), $name, 10);
	$t0 = microtime(true);
	$got = $b->acquire(5.0);
	$ms = (microtime(true) - $t0) * 1000;
	$b->release();
	// Skip the parent's shutdown work; the signal says how it went.
	posix_kill(getmypid(), $got && $ms < 4000 ? SIGTERM : SIGKILL);
}
usleep(300000);
$a->release();
pcntl_waitpid($pid, $st);
$ok = pcntl_wifsignaled($st) && pcntl_wtermsig($st) === SIGTERM;
echo 'waiter woken over TLS: ', yes($ok, 'the forked waiter did not get the lock in time'), "\n";
$a->acquire();
$t2 = $a->fencingToken();
echo 'fencing tokens increase: ', yes($t2 > $t1, "$t1 then $t2"), "\n";
$a->release();

$guard = new PayLock\IdempotencyGuard($store);
$key = uniq('idem');
$runs = 0;
$r1 = $guard->run($key, function () use (&$runs) { $runs++; return 'charged'; });
$r2 = $guard->run($key, function () use (&$runs) { $runs++; return 'again'; });
echo 'idempotency over TLS: ', yes($r1 === 'charged' && $r2 === 'charged' && $runs === 1, "$r1 $r2 runs=$runs"), "\n";
?>
--EXPECT--
php --ri: yes
ping over TLS (127.0.0.1, IP SAN): true
ping over TLS (localhost, SNI + DNS SAN): true
openssl.cafile instead of the option: yes
tls option alone turns TLS on: true
acquire: true
waiter woken over TLS: yes
fencing tokens increase: yes
idempotency over TLS: yes
