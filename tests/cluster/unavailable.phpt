--TEST--
Cluster: no reachable seed is a ConnectionException (FallbackStore degrades), a standalone server as seed a StoreException that says so, persistent => false works per node
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
persistent => false on every master: true
a dead seed first: true
