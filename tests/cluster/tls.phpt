--TEST--
Cluster over TLS (rediss+cluster://, the harness cluster's TLS ports): the slot map names the TLS ports, so locks, fencing and idempotency replay work for names on every master over TLS only; a wrong CA is a StoreException that FallbackStore does not degrade on
--EXTENSIONS--
paylock
--INI--
pcre.jit=0
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif_cluster.inc';
if (!getenv('PAYLOCK_TEST_REDIS_CLUSTER_TLS')) die('skip PAYLOCK_TEST_REDIS_CLUSTER_TLS not set (tests/run.sh gives the cluster TLS ports)'); ?>
--CONFLICTS--
cluster
--FILE--
<?php
require __DIR__ . '/../_support/cluster.inc';
require __DIR__ . '/../_support/tls.inc';
$tlsSeeds = getenv('PAYLOCK_TEST_REDIS_CLUSTER_TLS');
$store = new PayLock\RedisStore("rediss+cluster://$tlsSeeds", tls_options());
echo "ping: ", same($store->ping(), true), "\n";
$per = cluster_names_per_master(2, 't');
echo "masters: ", count($per), "\n";
$bad = [];
$g = new PayLock\IdempotencyGuard($store);
$runs = 0;
foreach ($per as $port => $names) {
	foreach ($names as $name) {
		$lock = new PayLock\Lock($store, $name, 10);
		if (!$lock->acquire()) { $bad[] = "$name not acquired"; continue; }
		if (!is_string(redis_raw(['GET', "paylock:{{$name}}"], $port))) $bad[] = "$name: no lock key on master $port";
		$t1 = $lock->fencingToken();
		$lock->release();
		$lock->acquire();
		$t2 = $lock->fencingToken();
		if (!($t1 > 0 && $t2 > $t1)) $bad[] = "$name: tokens $t1 then $t2";
		if ((PayLock\holder($store, $name)['pid'] ?? null) !== getmypid()) $bad[] = "$name: holder";
		$lock->release();
		$a = $g->run("pay-$name", function () use (&$runs) { $runs++; return 'paid'; });
		$b = $g->run("pay-$name", function () use (&$runs) { $runs++; return 'twice'; });
		if ([$a, $b] !== ['paid', 'paid']) $bad[] = "$name: replay gave " . json_encode([$a, $b]);
	}
}
echo "every master over TLS: ", same($bad, []), "\n";
echo "each step ran once: ", same($runs, 6), "\n";

$wrong = new PayLock\RedisStore("rediss+cluster://$tlsSeeds", tls_options(['cafile' => tls_dir() . '/other-ca.crt']));
try {
	$wrong->ping();
	echo "wrong CA: accepted\n";
} catch (PayLock\ConnectionException $e) {
	echo "wrong CA: ConnectionException (an outage, WRONG): ", $e->getMessage(), "\n";
} catch (PayLock\StoreException $e) {
	echo "wrong CA: StoreException ", yes(str_contains($e->getMessage(), 'certificate'), $e->getMessage()), "\n";
}
echo "FallbackStore over a wrong CA: ", tls_fallback($wrong), "\n";
?>
--EXPECT--
ping: true
masters: 3
every master over TLS: true
each step ran once: true
wrong CA: StoreException yes
FallbackStore over a wrong CA: not degraded: PayLock\StoreException
