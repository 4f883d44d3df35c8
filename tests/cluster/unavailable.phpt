--TEST--
Cluster: no reachable seed is a ConnectionException (FallbackStore degrades), a standalone server as seed a StoreException that says so, a plain redis:// DSN of one node answered MOVED a StoreException naming redis+cluster:// (FallbackStore does not degrade), persistent => false works per node
--EXTENSIONS--
paylock
--INI--
pcre.jit=0
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif_cluster.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/cluster.inc';
$dead = redis_server_free_port();
$down = new PayLock\RedisStore("redis+cluster://127.0.0.1:$dead", ['connect_timeout' => 0.2, 'read_timeout' => 0.2]);
$t = microtime(true);
try {
	(new PayLock\Lock($down, uniq(), 5))->acquire();
	echo "down: no error\n";
} catch (PayLock\ConnectionException $e) {
	echo "down: ConnectionException, bounded: ", yes(microtime(true) - $t < 2, sprintf('%.2f s', microtime(true) - $t)), "\n";
}
$fb = new PayLock\FallbackStore($down, new PayLock\FileStore(lock_dir()));
$l = new PayLock\Lock($fb, uniq(), 5);
echo "FallbackStore degrades: ", same(@$l->acquire(), true), " ", same($l->isDegraded(), true), "\n";
$l->release();
try {
	(new PayLock\RedisStore('redis+cluster://127.0.0.1:' . getenv('PAYLOCK_TEST_REDIS_PORT')))->ping();
	echo "standalone seed: no error\n";
} catch (PayLock\StoreException $e) {
	echo "standalone seed: ", yes(str_contains($e->getMessage(), 'not a cluster node'), $e->getMessage()), "\n";
}
// a plain redis:// DSN of one Cluster node, a name on another node: MOVED is a configuration error
$node = cluster_master_ports()[0];
$other = null;
foreach (cluster_names_per_master(1, 'mv') as $port => $names) {
	if ($port !== $node) {
		$other = $names[0];
	}
}
$plain = new PayLock\RedisStore("redis://127.0.0.1:$node");
try {
	(new PayLock\Lock($plain, $other, 5))->acquire();
	echo "redis:// of a node: no error\n";
} catch (PayLock\ConnectionException $e) {
	echo "redis:// of a node: ConnectionException (an outage, WRONG): ", $e->getMessage(), "\n";
} catch (PayLock\StoreException $e) {
	echo "redis:// of a node: StoreException ", yes(str_contains($e->getMessage(), 'redis+cluster://'), $e->getMessage()), "\n";
}
$l = new PayLock\Lock(new PayLock\FallbackStore($plain, new PayLock\FileStore(lock_dir())), $other, 5);
try {
	@$l->acquire();
	echo "FallbackStore over redis:// of a node: degraded (WRONG)\n";
} catch (PayLock\StoreException $e) {
	echo "FallbackStore over redis:// of a node: throws StoreException\n";
}
$s = cluster_store(['persistent' => false]);
$ok = true;
foreach (cluster_names_per_master(1, 'np') as $names) {
	$l = new PayLock\Lock($s, $names[0], 5);
	$ok = $ok && $l->acquire() && $l->release();
}
echo "persistent => false on every master: ", same($ok, true), "\n";
// one bad seed among good ones is skipped
$s = new PayLock\RedisStore("redis+cluster://127.0.0.1:$dead," . cluster_seeds(), ['connect_timeout' => 0.2]);
echo "a dead seed first: ", same($s->ping(), true), "\n";
?>
--EXPECT--
down: ConnectionException, bounded: yes
FallbackStore degrades: true true
standalone seed: yes
redis:// of a node: StoreException yes
FallbackStore over redis:// of a node: throws StoreException
persistent => false on every master: true
a dead seed first: true
