--TEST--
Cluster: PayLock\Admin lists every master's keys (locks() and records() with names on all 3 masters), page by page with an opaque cursor; a cursor it did not return is a StoreException, and a master that stops answering mid-listing is a ConnectionException (never a silently short list)
--EXTENSIONS--
paylock
posix
--INI--
pcre.jit=0
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif_cluster.inc'; ?>
--CONFLICTS--
cluster
--FILE--
<?php
require __DIR__ . '/../_support/cluster.inc';
cluster_use_private(); // it changes the topology: never the shared cluster
$store = cluster_store(['read_timeout' => 0.5]);
$base = 'adm' . getmypid() . 'x' . mt_rand();
$per = array_fill_keys(cluster_master_ports(), []);
for ($i = 0; min(array_map('count', $per)) < 3 && $i < 1000; $i++) {
	$port = cluster_port_of_slot(cluster_keyslot("paylock:{{$base}:$i}"));
	if (count($per[$port]) < 3) $per[$port][] = "$base:$i";
}
$names = array_merge(...array_values($per));
echo "names on 3 masters: ", same([count($per), count($names)], [3, 9]), "\n";
$held = [];
$g = new PayLock\IdempotencyGuard($store, ['prefix' => "$base-idem:", 'scope' => 's']);
foreach ($names as $n) {
	$held[$n] = new PayLock\Lock($store, $n, 60);
	$held[$n]->acquire();
	$g->run($n, fn() => 'paid');
}
$admin = new PayLock\Admin($store);

/** Follows the cursors: [entries, pages, cursors seen]. */
function all_pages(callable $page): array
{
	$out = $cursors = [];
	$pages = 0;
	$cursor = null;
	do {
		$p = $page($cursor);
		$out = array_merge($out, $p['locks'] ?? $p['records']);
		$cursor = $p['cursor'];
		$cursors[] = $cursor;
		$pages++;
	} while ($cursor !== null && $pages < 200);
	return [$out, $pages, $cursors];
}

[$locks, $pages, $cursors] = all_pages(fn($c) => $admin->locks($base, $c, 2));
$listed = array_column($locks, 'name');
sort($listed);
$want = $names;
sort($want);
echo "locks(): every master's names, once each: ", same($listed, $want), "\n";
echo "holders: ", same(array_unique(array_map(fn($l) => $l['holder']['pid'] ?? null, $locks)), [getmypid()]), "\n";
echo "pages: ", yes($pages >= 3, "$pages"), ", cursors are strings until the end: ", yes(count(array_filter(array_slice($cursors, 0, -1), 'is_string')) === $pages - 1, json_encode($cursors)), "\n";

[$records, $pages] = all_pages(fn($c) => $admin->records(null, "$base-idem:", $c, 2));
$keys = array_column($records, 'key');
sort($keys);
echo "records(): every master's records, once each: ", same($keys, $want), " states: ", same(array_unique(array_column($records, 'state')), ['done']), "\n";

try {
	$admin->locks($base, 'not-a-cursor', 2);
	echo "foreign cursor: accepted\n";
} catch (PayLock\ConnectionException $e) {
	echo "foreign cursor: ConnectionException (WRONG) ", $e->getMessage(), "\n";
} catch (PayLock\StoreException $e) {
	echo "foreign cursor: StoreException ", yes(str_contains($e->getMessage(), 'cursor'), $e->getMessage()), "\n";
}

// A master that stops answering (SIGSTOP, shorter than cluster-node-timeout, so no failover) fails the listing.
$stopped = max(array_keys($per));
preg_match('/^process_id:(\d+)/m', (string)redis_raw(['INFO', 'server'], $stopped), $m);
posix_kill((int)$m[1], SIGSTOP);
$t = microtime(true);
try {
	[$locks] = all_pages(fn($c) => $admin->locks($base, $c, 100));
	echo "a master stopped: listed ", count($locks), " (WRONG: a short list)\n";
} catch (PayLock\ConnectionException $e) {
	echo "a master stopped: ConnectionException\n";
} finally {
	posix_kill((int)$m[1], SIGCONT);
}
echo "within its bound: ", yes(microtime(true) - $t < 1.5, sprintf('%.2f s', microtime(true) - $t)), "\n";
foreach ($held as $l) $l->release();
echo "cluster ok: ", yes(cluster_wait_ok(), 'cluster not ok'), "\n";
?>
--EXPECT--
names on 3 masters: true
locks(): every master's names, once each: true
holders: true
pages: yes, cursors are strings until the end: yes
records(): every master's records, once each: true states: true
foreign cursor: StoreException yes
a master stopped: ConnectionException
within its bound: yes
cluster ok: yes
