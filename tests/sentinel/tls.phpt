--TEST--
Sentinel over TLS (rediss+sentinel://): TLS to a password-protected Sentinel (sentinel_password) and to the master it names (its TLS port, as a Sentinel with tls-replication monitors it); locks, fencing and idempotency replay work; a wrong CA is a StoreException that FallbackStore does not degrade on, a wrong sentinel_password a ConnectionException
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc';
if (!getenv('PAYLOCK_TEST_TLS_DIR')) die('skip PAYLOCK_TEST_TLS_DIR not set (tests/run.sh makes the test certificates)'); ?>
--FILE--
<?php
require __DIR__ . '/../_support/cluster.inc';
require __DIR__ . '/../_support/tls.inc';
require_once __DIR__ . '/../_support/redis_server.inc';
// A small TLS setup of its own (a Sentinel reports one address, so the harness's plain Sentinels cannot
// serve TLS clients too): a master with a TLS port and one TLS-only Sentinel that needs a password.
[$master, $mport] = tls_private_redis('server', 'no');
$master->cmd(['CONFIG', 'SET', 'save', '3600 1']); // persistent: through the router too, idempotency warns about a server that is not
$d = tls_dir();
$sport = redis_server_free_port();
$dir = getenv('PAYLOCK_TEST_TMP') . "/sentinel-tls-$sport";
@mkdir($dir);
file_put_contents("$dir/sentinel.conf", implode("\n", [
	'port 0', 'bind 127.0.0.1', "dir $dir", "logfile $dir/sentinel.log", "tls-port $sport",
	"tls-cert-file $d/server.crt", "tls-key-file $d/server.key", "tls-ca-cert-file $d/ca.crt",
	'tls-auth-clients no', 'tls-replication yes', 'requirepass s3cret',
	"sentinel monitor tlsmaster 127.0.0.1 $mport 1",
]) . "\n");
$spid = redis_restart(["$dir/sentinel.conf", '--sentinel']);
$store = null;
for ($i = 0; $i < 100; $i++) { // until the Sentinel answers over TLS
	try {
		$store = new PayLock\RedisStore("rediss+sentinel://127.0.0.1:$sport/tlsmaster?sentinel_password=s3cret", tls_options());
		$store->ping();
		break;
	} catch (PayLock\Exception $e) {
		$store = null;
		usleep(50000);
	}
}
echo "ping: ", same($store?->ping(), true), "\n";
$name = uniq('st');
$lock = new PayLock\Lock($store, $name, 10);
echo "lock: ", same($lock->acquire(), true), " ", yes(is_string(redis_raw(['GET', "paylock:{{$name}}"], $master->port)), 'not on the master'), "\n";
$t1 = $lock->fencingToken();
$lock->release();
$lock->acquire();
echo "fence grows: ", yes($t1 > 0 && $lock->fencingToken() > $t1, "$t1 then " . $lock->fencingToken()), "\n";
echo "release: ", same($lock->release(), true), "\n";
$g = new PayLock\IdempotencyGuard($store);
$runs = 0;
$a = $g->run($name, function () use (&$runs) { $runs++; return 'paid'; });
$b = $g->run($name, function () use (&$runs) { $runs++; return 'twice'; });
echo "idempotency replay: ", same([$a, $b, $runs], ['paid', 'paid', 1]), "\n";

$wrong = new PayLock\RedisStore("rediss+sentinel://127.0.0.1:$sport/tlsmaster?sentinel_password=s3cret", tls_options(['cafile' => "$d/other-ca.crt"]));
try {
	$wrong->ping();
	echo "wrong CA: accepted\n";
} catch (PayLock\ConnectionException $e) {
	echo "wrong CA: ConnectionException (an outage, WRONG): ", $e->getMessage(), "\n";
} catch (PayLock\StoreException $e) {
	echo "wrong CA: StoreException ", yes(str_contains($e->getMessage(), 'certificate'), $e->getMessage()), "\n";
}
echo "FallbackStore over a wrong CA: ", tls_fallback($wrong), "\n";
try {
	(new PayLock\RedisStore("rediss+sentinel://127.0.0.1:$sport/tlsmaster?sentinel_password=nope", tls_options()))->ping();
	echo "wrong sentinel_password: accepted\n";
} catch (PayLock\Exception $e) {
	echo "wrong sentinel_password: ", get_class($e), " ", yes(str_contains($e->getMessage(), 'authentication failed') && !str_contains($e->getMessage(), 'nope'), $e->getMessage()), "\n";
}
posix_kill($spid, SIGKILL);
$master->stop();
?>
--EXPECT--
ping: true
lock: true yes
fence grows: yes
release: true
idempotency replay: true
wrong CA: StoreException yes
FallbackStore over a wrong CA: not degraded: PayLock\StoreException
wrong sentinel_password: PayLock\ConnectionException yes
