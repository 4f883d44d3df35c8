--TEST--
replicas => 'auto': waits for the replicas connected now; a replica that detaches (REPLICAOF NO ONE, as a promotion does) is still waited for during the hold, so the primary it left acknowledges nothing alone; one that attaches again is waited for within about a second (a stalled link then fails the acquire)
--EXTENSIONS--
paylock
pcntl
posix
--INI--
pcre.jit=0
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
require_once __DIR__ . '/../_support/faults.inc';
use PayLock\{RedisStore, Lock, ReplicationException};

$primary = new PrivateRedis(['--save', '3600 1']);
$link = fault_proxy($primary->port);
$replica = new PrivateRedis(['--save', '3600 1', '--replicaof', '127.0.0.1', (string)$link['port']]);
redis_server_replicas_online($primary) or print("replication never came up\n");
$s = new RedisStore($primary->dsn(), ['replicas' => 'auto', 'replica_timeout' => 0.5, 'read_timeout' => 2.0, 'persistent' => false]);
$try = function (string $when) use ($s) {
	$l = new Lock($s, uniq());
	$t = microtime(true);
	try {
		$r = var_export($l->acquire(), true);
	} catch (ReplicationException $e) {
		$r = preg_match('/acknowledged by \d+ of \d+ replicas?/', $e->getMessage(), $m) ? $m[0] : $e->getMessage();
	}
	printf("%s: %s%s\n", $when, $r, microtime(true) - $t < 2.0 ? '' : sprintf(' (slow: %.2f s)', microtime(true) - $t));
	return $l;
};
$held[] = $try('one replica attached');

$replica->cmd(['REPLICAOF', 'NO', 'ONE']);
for ($i = 0; $i < 200 && !str_contains($primary->cmd(['INFO', 'replication']), 'connected_slaves:0'); $i++) {
	usleep(25000);
}
$held[] = $try('replica detached');
$held[] = $try('replica detached, again');

$replica->cmd(['REPLICAOF', '127.0.0.1', (string)$link['port']]);
redis_server_replicas_online($primary) or print("replication never came back\n");
usleep(1200000); // 'auto' looks at a replica-less primary again after a second
posix_kill($link['pid'], SIGSTOP);
$held[] = $try('replica attached again, link stalled');
posix_kill($link['pid'], SIGCONT);
unset($held); // released while the primary runs
fault_proxy_stop($link);
?>
--EXPECT--
one replica attached: true
replica detached: acknowledged by 0 of 1 replica
replica detached, again: acknowledged by 0 of 1 replica
replica attached again, link stalled: acknowledged by 0 of 1 replica
