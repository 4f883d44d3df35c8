--TEST--
TLS: a forked child that exits holding the parent's pooled TLS connection sends nothing on it (no close_notify), and one that uses the store opens its own; the parent's next commands run on the same connection
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

[$r, $port] = tls_private_redis();
function connections(PrivateRedis $r): int
{
	preg_match('/total_connections_received:(\d+)/', $r->cmd(['INFO', 'stats']), $m);
	return (int)$m[1];
}
$store = new PayLock\RedisStore("rediss://127.0.0.1:$port", tls_options());
$name = uniq();
$lock = new PayLock\Lock($store, $name, 30);
echo 'parent acquires: ', truth($lock->acquire(), 'acquire'), "\n";
$before = connections($r);

// A child that only exits: its module shutdown frees the inherited connection.
$pid = pcntl_fork();
if ($pid === 0) {
	exit(0);
}
pcntl_waitpid($pid, $st);
// A child that uses the store: it must not speak on the parent's session.
$pid = pcntl_fork();
if ($pid === 0) {
	$busy = (new PayLock\Lock($store, $name, 30))->acquire(0);
	exit($busy ? 1 : 0);
}
pcntl_waitpid($pid, $st);
echo 'child saw the lock held: ', yes(pcntl_wexitstatus($st) === 0, 'exit ' . pcntl_wexitstatus($st)), "\n";
usleep(100000);
echo 'parent refreshes and releases: ', truth(($lock->refresh(30) ?? true) && $lock->release(), 'refresh/release'), "\n";
echo 'parent ping: ', truth($store->ping(), 'ping'), "\n";
// Connections made since: the second INFO's own, and the using child's. A child that had sent
// close_notify (or broken the session) would make the parent reconnect: one more.
$made = connections($r) - $before;
echo 'parent kept its connection: ', yes($made === 2, "$made connections made, want 2 (INFO + the child's own)"), "\n";
?>
--EXPECT--
parent acquires: true
child saw the lock held: yes
parent refreshes and releases: true
parent ping: true
parent kept its connection: yes
