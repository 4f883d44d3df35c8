--TEST--
Fairness (Redis): a newcomer that finds the lock free but its queue's live head waiting hands the lock to that head and queues behind it; the head's value is marked as waited for, so the head's release hands the lock on to the newcomer instead of leaving it free while it waits
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
require_once __DIR__ . '/../_support/redis_server.inc';
require_once __DIR__ . '/../_support/lua_scripts.inc';

$r = new PrivateRedis();
$port = $r->port;
$eval = fn(string $script, array $keys, array $args) => lua_eval($script, $keys, $args, $port);
$p = 'paylock:';
$name = 'cart';
[$h, $t, $m] = [str_repeat('a', 32), str_repeat('b', 32), str_repeat('c', 32)];
$value = fn(string $token) => "$token:1:0:test";
$alive = 60000; // heartbeats never run out here: the order alone decides

echo 'h holds: ', json_encode($eval('ACQUIRE', name_keys($p, $name, $h), [$value($h), 30000, 0, $alive, 100])), "\n";
$q = $eval('ACQUIRE', name_keys($p, $name, $t), [$value($t), 30000, 1, $alive, 100]);
echo 't queues: ', json_encode([$q[0], $q[1]]), "\n";
redis_raw(['DEL', "$p{{$name}}"], $port); // h's lease runs out; t has not looked yet (its heartbeat is due)
// The newcomer m: the free lock goes to t, the live head, and m queues behind it.
$q = $eval('ACQUIRE', name_keys($p, $name, $m), [$value($m), 30000, 1, $alive, 100]);
if (is_array($q) && $q[0] === -1) {
	$q = $eval('ACQUIRE', name_keys($p, $name, $m, $q[2]), [$value($m), 30000, 1, $alive, 100]);
}
echo 'm queues: ', json_encode([$q[0], $q[1]]), "\n";
$v = (string)redis_raw(['GET', "$p{{$name}}"], $port);
echo 't holds, marked as waited for: ', yes($v === $value($t) . '+', $v), "\n";
// t's release: the uncontended release must leave it to the release script, which hands it to m.
$k = name_keys($p, $name, $t);
$one = $eval('RELEASE_ONE', [$k[0], $k[4], $k[1]], [$t, 5000]);
echo 'release_one leaves it to the release script, naming m: ', yes($one === $m, json_encode($one)), "\n";
echo 'released: ', json_encode($eval('RELEASE', name_keys($p, $name, $t, (string)$one), [$t, 5000, '', '', 100])), "\n";
$v = (string)redis_raw(['GET', "$p{{$name}}"], $port);
echo 'm holds: ', yes(str_starts_with($v, $value($m)), $v), "\n";
?>
--EXPECT--
h holds: [1]
t queues: [0,1]
m queues: [0,1]
t holds, marked as waited for: yes
release_one leaves it to the release script, naming m: yes
released: 1
m holds: yes
