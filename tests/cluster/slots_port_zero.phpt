--TEST--
Cluster: a CLUSTER SLOTS entry with port 0 or host "?" (Redis 7 with tls-cluster, to a plain client) is no owner: the map is asked of the other nodes; a slot no node gives an address for fails with a ConnectionException, never a connect to port 0
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

// one real cluster node serving every slot; fake nodes in front of it tell the router other maps
[[$real]] = private_cluster(1);
// a name in each half (the lock key's slot, asked from Redis)
$names = [];
for ($i = 0; count($names) < 2; $i++) {
	$n = uniq('zero') . ":$i";
	$names[$real->cmd(['CLUSTER', 'KEYSLOT', "paylock:{{$n}}"]) < 8192 ? 'low' : 'high'] ??= $n;
}
$low = $real->cmd(['CLUSTER', 'KEYSLOT', "paylock:{{$names['low']}}"]);
$half = fn(int $self) => [[0, 8191, ['127.0.0.1', 0, 'aaaa']], [8192, 16383, ['127.0.0.1', $self, 'bbbb']]];
$qm = fn(int $self) => [[0, $low, ['?', $self, 'aaaa']], [$low + 1, 16383, ['127.0.0.1', $self, 'bbbb']]];
$full = fn(int $self) => [[0, 16383, ['127.0.0.1', $self, 'bbbb']]];
[$zero, $pz] = fake_cluster_node($real->port, $half);
[$qmark, $pq] = fake_cluster_node($real->port, $qm);
[$good, $pg] = fake_cluster_node($real->port, $full);

function cycle(string $dsn, string $name): string
{
	$t = microtime(true);
	try {
		$lock = new PayLock\Lock(new PayLock\RedisStore($dsn, ['connect_timeout' => 0.5, 'read_timeout' => 0.5]), $name, 10);
		$got = $lock->acquire();
		return 'acquire ' . same($got, true) . ', release ' . same($lock->release(), true);
	} catch (PayLock\Exception $e) {
		return get_class($e) . ' (' . yes(str_contains($e->getMessage(), 'no node gave a usable address') &&
			!str_contains($e->getMessage(), ':0 '), $e->getMessage()) . ', ' .
			yes(microtime(true) - $t < 3, sprintf('%.2f s', microtime(true) - $t)) . ')';
	}
}

echo "only the node that says port 0:\n";
echo "  high half: ", cycle("redis+cluster://127.0.0.1:$zero", $names['high']), "\n";
echo "  low half: ", cycle("redis+cluster://127.0.0.1:$zero", $names['low']), "\n";
echo "  Admin lists the masters it knows: ", same(is_array((new PayLock\Admin(new PayLock\RedisStore("redis+cluster://127.0.0.1:$zero")))->locks()), true), "\n";
echo "the port-0 node first, then one that knows every address:\n";
foreach (['low', 'high'] as $h) echo "  $h half: ", cycle("redis+cluster://127.0.0.1:$zero,127.0.0.1:$good", $names[$h]), "\n";
echo "host \"?\" for the low slot, then a good node: ", cycle("redis+cluster://127.0.0.1:$qmark,127.0.0.1:$good", $names['low']), "\n";
echo "the keys are on the real node: ", same($real->cmd(['DBSIZE']) >= 1, true), "\n";

// FallbackStore degrades on that outage (a ConnectionException, not a StoreException)
$fb = new PayLock\FallbackStore(new PayLock\RedisStore("redis+cluster://127.0.0.1:$zero", ['connect_timeout' => 0.5, 'read_timeout' => 0.5]), new PayLock\FileStore(lock_dir()));
$lock = new PayLock\Lock($fb, $names['low'], 10);
echo "FallbackStore on the unknown slot: ", same(@$lock->acquire(), true), " ", same($lock->release(), true), "\n";

foreach ([$pz, $pq, $pg] as $p) {
	posix_kill($p, SIGKILL);
	pcntl_waitpid($p, $st);
}
?>
--EXPECT--
only the node that says port 0:
  high half: acquire true, release true
  low half: PayLock\ConnectionException (yes, yes)
  Admin lists the masters it knows: true
the port-0 node first, then one that knows every address:
  low half: acquire true, release true
  high half: acquire true, release true
host "?" for the low slot, then a good node: acquire true, release true
the keys are on the real node: true
FallbackStore on the unknown slot: true true
