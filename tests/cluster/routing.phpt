--TEST--
Cluster: locks, fencing, holder() and idempotency for names on every master go to the slot's master (CLUSTER KEYSLOT) without redirects
--EXTENSIONS--
paylock
--INI--
pcre.jit=0
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif_cluster.inc'; ?>
--CONFLICTS--
cluster
--FILE--
<?php
require __DIR__ . '/../_support/cluster.inc';
$store = cluster_store();
echo "ping: ", same($store->ping(), true), "\n";
$per = cluster_names_per_master(3);
echo "masters: ", count($per), "\n";
$bad = [];
$tokens = 0;
foreach ($per as $port => $names) {
	foreach ($names as $name) {
		$lock = new PayLock\Lock($store, $name, 10);
		if (!$lock->acquire()) { $bad[] = "$name not acquired"; continue; }
		// the lock key lives on the master that owns its slot, by Redis' own slot function
		$key = "paylock:{{$name}}";
		$owner = cluster_port_of_slot(cluster_keyslot($key));
		$v = redis_raw(['GET', $key], $owner);
		if (!is_string($v)) $bad[] = "$name: no key on $owner (" . var_export($v, true) . ")";
		$t = $lock->fencingToken();
		$tokens += $t > 0 ? 1 : 0;
		$h = PayLock\holder($store, $name);
		if (($h['pid'] ?? 0) !== getmypid() || ($h['fence'] ?? 0) !== $t) $bad[] = "$name holder " . json_encode($h);
		if (!$lock->release()) $bad[] = "$name not released";
		if (redis_raw(['EXISTS', $key], $owner) !== 0) $bad[] = "$name still there";
	}
}
echo "every name on its slot's master: ", yes($bad === [], implode('; ', $bad)), "\n";
echo "fencing tokens: $tokens\n";
$g = new PayLock\IdempotencyGuard($store);
$runs = 0;
$ok = true;
foreach ($per as $port => $names) {
	foreach ($names as $name) {
		$a = $g->run($name, function () use (&$runs) { $runs++; return 'paid'; });
		$b = $g->run($name, function () use (&$runs) { $runs++; return 'twice'; });
		$ok = $ok && $a === 'paid' && $b === 'paid';
		$g->forget($name);
	}
}
echo "idempotency: ", yes($ok && $runs === 9, "runs $runs"), "\n";
// a MultiLock whose names share a hash tag is one slot: one script call
$tag = '{' . uniq('cart') . '}';
$m = new PayLock\MultiLock($store, ["{$tag}a", "{$tag}b", "{$tag}c"], 10);
echo "tagged MultiLock: ", same($m->acquire(), true), " ", same(count($m->fencingTokens()), 3), " ", same($m->release(), true), "\n";
$spread = array_map(fn($n) => $n[0], $per);
// names on different masters: one script call per slot (tests/cluster/multilock_cross_slot*.phpt)
$m = new PayLock\MultiLock($store, array_values($spread), 10);
echo "cross-slot MultiLock: ", same($m->acquire(), true), " ", same(count($m->fencingTokens()), 3), " ", same($m->release(), true), "\n";
echo "redirects: ", router_info('Redis Cluster redirects followed'), "\n";
echo "slot map fetches: ", router_info('Redis Cluster slot map fetches'), "\n";
?>
--EXPECT--
ping: true
masters: 3
every name on its slot's master: yes
fencing tokens: 9
idempotency: yes
tagged MultiLock: true true true
cross-slot MultiLock: true true true
redirects: 0
slot map fetches: 1
