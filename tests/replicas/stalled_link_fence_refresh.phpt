--TEST--
replicas: while the replication link stalls, a fencing token is not handed out and a refresh is not counted on (ReplicationException naming the acknowledgements); once the link flows again both succeed and the token is the one the counter holds on the replica
--EXTENSIONS--
paylock
pcntl
posix
--INI--
pcre.jit=0
--SKIPIF--
<?php
require __DIR__ . '/../_support/skipif.inc';
?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
require_once __DIR__ . '/../_support/faults.inc';
use PayLock\{RedisStore, Lock, ReplicationException};

$primary = new PrivateRedis(['--save', '3600 1']);
$link = fault_proxy($primary->port);
$replica = new PrivateRedis(['--save', '3600 1', '--replicaof', '127.0.0.1', (string)$link['port']]);
redis_server_replicas_online($primary) or print("replication never came up\n");
$s = new RedisStore($primary->dsn(), ['replicas' => 1, 'replica_timeout' => 0.5, 'read_timeout' => 2.0, 'persistent' => false] /* 0.5 s: a loaded CI machine acknowledges the healthy writes in time */);
$l = new Lock($s, $n = uniq(), 30);
echo 'acquire: ', var_export($l->acquire(), true), "\n";
posix_kill($link['pid'], SIGSTOP);
foreach (['fencingToken', 'refresh'] as $m) {
	try {
		$r = $l->$m();
		echo "$m while stalled: returned ", var_export($r, true), " (WRONG)\n";
	} catch (ReplicationException $e) {
		echo "$m while stalled: ", preg_replace('/^.*?(acknowledged by \d+ of \d+ replicas? within \d+ ms).*$/', '$1', $e->getMessage()), "\n";
	}
}
echo 'still held: ', var_export($l->isAcquired(), true), "\n";
posix_kill($link['pid'], SIGCONT);
$t = $l->fencingToken();
$l->refresh();
echo 'after the link flows: token ', yes($t > 0, (string)$t), ', counter on the replica ',
	yes((int)redis_raw(['GET', "paylock:{{$n}}:fence"], $replica->port) === $t, 'differs'), ', refresh ok', "\n";
$l->release();
fault_proxy_stop($link);
?>
--EXPECT--
acquire: true
fencingToken while stalled: acknowledged by 0 of 1 replica within 500 ms
refresh while stalled: acknowledged by 0 of 1 replica within 500 ms
still held: true
after the link flows: token yes, counter on the replica yes, refresh ok
