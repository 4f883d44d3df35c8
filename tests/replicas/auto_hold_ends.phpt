--TEST--
replicas => 'auto': a replica that left is waited for during the hold (30 s from when its absence is first seen, however long the process was idle before: writes fail, a demoted primary cannot acknowledge alone), then fewer replicas are the new normal and writes are acknowledged again without it
--EXTENSIONS--
paylock
posix
--INI--
pcre.jit=0
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
use PayLock\{RedisStore, Lock, ReplicationException};

const HOLD_S = 30; // PAYLOCK_REPLICAS_AUTO_HOLD_NS

$primary = new PrivateRedis(['--save', '3600 1']);
$replica = new PrivateRedis(['--save', '3600 1', '--replicaof', '127.0.0.1', (string)$primary->port]);
redis_server_replicas_online($primary) or print("replication never came up\n");
$s = new RedisStore($primary->dsn(), ['replicas' => 'auto', 'replica_timeout' => 0.5, 'read_timeout' => 2.0]);
$try = function () use ($s): string {
	$l = new Lock($s, uniq());
	try {
		$r = var_export($l->acquire(), true);
		$l->release();
		return $r;
	} catch (ReplicationException $e) {
		return preg_match('/acknowledged by \d+ of \d+ replicas?/', $e->getMessage(), $m) ? $m[0] : $e->getMessage();
	}
};
// (a loaded machine, ASAN: the first WAITs right after the sync can miss replica_timeout; retry them)
for ($i = 0; $i < 20 && ($first = $try()) !== 'true'; $i++) usleep(250000);
echo "one replica: ", $first, "\n";
sleep(HOLD_S + 1); // an idle worker: the hold must not count from its last write
$replica->cmd(['REPLICAOF', 'NO', 'ONE']);
for ($i = 0; $i < 200 && !str_contains($primary->cmd(['INFO', 'replication']), 'connected_slaves:0'); $i++) usleep(25000);
$left = microtime(true);
echo "it left, after the worker was idle longer than the hold: ", $try(), "\n";
usleep(2000000);
echo "2 s later, still held: ", $try(), "\n";
$seen = [];
while (microtime(true) - $left < HOLD_S + 5) {
	$r = $try();
	$seen[$r] = ($seen[$r] ?? 0) + 1;
	if ($r === 'true') break;
	usleep(500000);
}
$after = microtime(true) - $left;
echo "after the hold: ", $r, ", not before it: ", yes($after >= HOLD_S - 1, sprintf('%.1f s', $after)), "\n";
echo "acknowledged again: ", $try(), "\n";
?>
--EXPECT--
one replica: true
it left, after the worker was idle longer than the hold: acknowledged by 0 of 1 replica
2 s later, still held: acknowledged by 0 of 1 replica
after the hold: true, not before it: yes
acknowledged again: true
