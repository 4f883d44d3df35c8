--TEST--
TLS: a pooled TLS connection that idles is reused (TLS 1.3 session tickets do not look like a close); when Redis restarts meanwhile, the next command notices, reconnects once silently and succeeds
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

[$r, $port] = tls_private_redis();
function connections(PrivateRedis $r): int
{
	preg_match('/total_connections_received:(\d+)/', $r->cmd(['INFO', 'stats']), $m);
	return (int)$m[1];
}
$store = new PayLock\RedisStore("rediss://127.0.0.1:$port", tls_options());
echo 'ping: ', truth($store->ping(), 'ping'), "\n";
$before = connections($r);
usleep(1300000); // past the idle check (PAYLOCK_REDIS_IDLE_CHECK_NS, 1 s)
echo 'ping after idling: ', truth($store->ping(), 'ping'), "\n";
$made = connections($r) - $before;
echo 'idle connection reused: ', yes($made === 1, "$made connections made, want 1 (INFO's own)"), "\n";

$r->restart();
usleep(1300000);
$lock = new PayLock\Lock($store, uniq(), 10);
try {
	echo 'acquire after the restart: ', truth($lock->acquire(), 'acquire'), "\n";
	$lock->release();
} catch (PayLock\Exception $e) {
	echo 'acquire after the restart: ', get_class($e), ': ', $e->getMessage(), "\n";
}
$made = connections($r);
echo 'one new connection: ', yes($made === 3, "$made connections since the restart, want 3 (the start's PING, ours, INFO)"), "\n";
?>
--EXPECT--
ping: true
ping after idling: true
idle connection reused: yes
acquire after the restart: true
one new connection: yes
