--TEST--
Cluster: a pipeline (a command and its WAIT, with replicas set) on a slot being migrated follows ASK with ASKING before each command, bounded, the slot map untouched; after the move MOVED heals the map
--EXTENSIONS--
paylock
pcntl
posix
--INI--
pcre.jit=0
--FILE--
<?php
require_once __DIR__ . '/../_support/common.inc';
require_once __DIR__ . '/../_support/redis_server.inc';
require_once __DIR__ . '/../_support/fake_cluster.inc';

// two masters with a replica each: a WAIT 1 is acknowledged on either side of the migration
[[$a, $b], $replicas] = private_cluster(2, 1); // kept: a PrivateRedis stops when dropped
$ida = (string)$a->cmd(['CLUSTER', 'MYID']);
$idb = (string)$b->cmd(['CLUSTER', 'MYID']);
for ($i = 0; ; $i++) {
	$name = uniq('askp') . ":$i";
	$slot = $a->cmd(['CLUSTER', 'KEYSLOT', "paylock:{{$name}}"]);
	if ($slot < 8192) break; // A's half
}
function info_row(string $row): int
{
	ob_start();
	phpinfo(INFO_MODULES);
	return preg_match('/^' . preg_quote($row, '/') . ' => (\d+)/m', ob_get_clean(), $m) ? (int)$m[1] : 0;
}

$store = new PayLock\RedisStore(private_cluster_dsn([$a, $b]), ['replicas' => 1, 'replica_timeout' => 0.5,
	'connect_timeout' => 0.5, 'read_timeout' => 1]);
echo "warm: ", same(PayLock\holder($store, $name), null), "\n";
$fetches = info_row('Redis Cluster slot map fetches');
$redirects = info_row('Redis Cluster redirects followed');
$b->cmd(['CLUSTER', 'SETSLOT', (string)$slot, 'IMPORTING', $ida]);
$a->cmd(['CLUSTER', 'SETSLOT', (string)$slot, 'MIGRATING', $idb]);
$lock = new PayLock\Lock($store, $name, 10);
$t = microtime(true);
try {
	echo "acquire during the migration (SET + WAIT: ASK, then ASKING before each on the importing node): ", same($lock->acquire(), true), "\n";
} catch (PayLock\Exception $e) {
	echo "acquire during the migration: ", get_class($e), ": ", $e->getMessage(), "\n";
}
echo "bounded: ", yes(microtime(true) - $t < 3, sprintf('%.2f s', microtime(true) - $t)), "\n";
echo "the key went to the importing node: ", same($b->cmd(['CLUSTER', 'COUNTKEYSINSLOT', (string)$slot]) >= 1, true),
	" ", same($a->cmd(['CLUSTER', 'COUNTKEYSINSLOT', (string)$slot]), 0), "\n";
echo "ASK followed: ", yes(info_row('Redis Cluster redirects followed') > $redirects, 'no redirect'),
	", map untouched: ", same(info_row('Redis Cluster slot map fetches') - $fetches, 0), "\n";
echo "another process sees it held: ", same(PayLock\holder(new PayLock\RedisStore(private_cluster_dsn([$a, $b])), $name) !== null, true), "\n";

// the migration ends: the slot is B's
foreach ([$b, $a] as $n) $n->cmd(['CLUSTER', 'SETSLOT', (string)$slot, 'NODE', $idb]);
echo "after the move: release ", same($lock->release(), true), ", acquire again ", same($lock->acquire(), true),
	", release ", same($lock->release(), true), "\n";
?>
--EXPECT--
warm: true
acquire during the migration (SET + WAIT: ASK, then ASKING before each on the importing node): true
bounded: yes
the key went to the importing node: true true
ASK followed: yes, map untouched: true
another process sees it held: true
after the move: release true, acquire again true, release true
