--TEST--
Cluster: errors through the router name the node that answered or failed, and the seeds ("Redis at Cluster node h:p (seeds h:p,...)")
--EXTENSIONS--
paylock
posix
--INI--
pcre.jit=0
--FILE--
<?php
require_once __DIR__ . '/../_support/common.inc';
require_once __DIR__ . '/../_support/redis_server.inc';
require_once __DIR__ . '/../_support/fake_cluster.inc';

[[$a, $b]] = private_cluster(2); // no replicas: a WAIT 1 is never acknowledged
$names = [];
for ($i = 0; count($names) < 2; $i++) {
	$n = uniq('where') . ":$i";
	$names[$a->cmd(['CLUSTER', 'KEYSLOT', "paylock:{{$n}}"]) < 8192 ? 'a' : 'b'] ??= $n;
}
$dsn = private_cluster_dsn([$a, $b]);
$seeds = "(seeds 127.0.0.1:$a->port,...)";
function message_of(callable $f): string
{
	try {
		$f();
		return 'no error';
	} catch (PayLock\Exception $e) {
		return get_class($e) . ': ' . $e->getMessage();
	}
}
$store = new PayLock\RedisStore($dsn, ['replicas' => 1, 'replica_timeout' => 0.1]);
foreach (['a' => $a, 'b' => $b] as $k => $node) {
	$m = message_of(fn() => (new PayLock\Lock($store, $names[$k], 10))->acquire());
	echo "unacknowledged write on $k: ", yes(str_contains($m, 'ReplicationException') &&
		str_contains($m, "Redis at Cluster node 127.0.0.1:$node->port $seeds"), $m), "\n";
}
$b->stop();
$m = message_of(fn() => (new PayLock\Lock(new PayLock\RedisStore($dsn, ['connect_timeout' => 0.2, 'read_timeout' => 0.2]), $names['b'], 10))->acquire());
echo "node b down: ", yes(str_contains($m, 'ConnectionException') && str_contains($m, "Cluster node 127.0.0.1:$b->port $seeds"), $m), "\n";
$m = message_of(fn() => (new PayLock\Lock(new PayLock\RedisStore("redis+cluster://127.0.0.1:$b->port", ['connect_timeout' => 0.2, 'read_timeout' => 0.2]), $names['a'], 10))->acquire());
echo "the only seed down: ", yes(str_contains($m, 'ConnectionException') && str_contains($m, "Cluster node 127.0.0.1:$b->port (seeds 127.0.0.1:$b->port)"), $m), "\n";
?>
--EXPECT--
unacknowledged write on a: yes
unacknowledged write on b: yes
node b down: yes
the only seed down: yes
