--TEST--
The release script with the waiter it expects declared: a live single-name head gets its own value (marked when others wait) and the next token; a dead, misnamed or unreadable head gets nothing and the live head is asked for; a MultiLock head gets its grant; a lock held by another token or nobody waiting is handled as before
--EXTENSIONS--
paylock
--INI--
pcre.jit=0
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
require __DIR__ . '/../_support/lua_scripts.inc';

$p = 'rhi:' . getmypid() . ':';
[$t1, $t2, $t3] = [str_repeat('a', 32), str_repeat('b', 32), str_repeat('c', 32)];
$val = fn(string $t, int $n) => "$t:$n:0:host";
function show(string $what, mixed $got): void
{
	echo $what, ': ', json_encode($got), "\n";
}
// GRANT_MS and how long a waiter stays alive: long, so nothing here expires on a slow machine.
const GRANT = 60000;
const ALIVE = 60000;
// t1 holds $name; t2 then t3 queue behind it through the acquire script (their real entries).
function queued(string $p, string $name, array $vals): array
{
	[$t1, $t2, $t3] = array_keys($vals);
	lua_eval('ACQUIRE', name_keys($p, $name, $t1), [$vals[$t1], 5000, 0, ALIVE, GRANT]);
	lua_eval('ACQUIRE', name_keys($p, $name, $t2), [$vals[$t2], 5000, 1, ALIVE, GRANT]);
	lua_eval('ACQUIRE', name_keys($p, $name, $t3), [$vals[$t3], 5000, 1, ALIVE, GRANT]);
	return name_keys($p, $name, $t1);
}
// Whether key k's time to live is in (lo, hi] ms.
function ttl_in(string $k, int $lo, int $hi): bool
{
	$t = redis_raw(['PTTL', $k]);
	return $t > $lo && $t <= $hi;
}
function state(array $k, string $t2, string $t3): array
{
	return ['lock' => redis_raw(['GET', $k[0]]), 'pttl' => redis_raw(['PTTL', $k[0]]) > 0 ? 'set' : 'none',
		'queue' => redis_raw(['LRANGE', $k[1], 0, -1]), 'waiters' => redis_raw(['HLEN', $k[2]]),
		'woken2' => redis_raw(['LRANGE', "{$k[0]}:g:$t2", 0, -1]), 'woken3' => redis_raw(['LRANGE', "{$k[0]}:g:$t3", 0, -1]),
		'tombstone' => redis_raw(['GET', $k[4]])];
}
$vals = [$t1 => $val($t1, 1), $t2 => $val($t2, 2), $t3 => $val($t3, 3)];
$rel = fn(string $name, string $head) => lua_eval('RELEASE', name_keys($p, $name, $t1, $head), [$t1, 5000, '', '', GRANT]);
$short = fn(string $s) => strtr($s, [$t1 => 't1', $t2 => 't2', $t3 => 't3']);
$view = function (array $k) use ($t2, $t3, $short) {
	return json_decode($short(json_encode(state($k, $t2, $t3))), true);
};

// 1. t2 (declared) is alive, t3 behind it: t2 gets its own value marked '+', woken
// with t3's token; t1's tombstone is written; the lease is the short one.
$k = queued($p, 'A', $vals);
show('A: release naming t2', $rel('A', $t2));
show('A after', $view($k));
show('A lease is the hand-off lease (1 s), the wake-up lives GRANT_MS, the tombstone its life',
	[ttl_in($k[0], 100, 1000), ttl_in("{$k[0]}:g:$t2", 1000, GRANT), ttl_in($k[4], 1000, 5000)]);
show('A: the same release again (resent)', $rel('A', $t2));
show('A: t2 releases naming t3 (nobody behind t3)', lua_eval('RELEASE', name_keys($p, 'A', $t2, $t3), [$t2, 5000, '', '', GRANT]));
show('A after t2', $view($k));

// 2. The declared head is dead: nothing is granted to it; the general path drops it and asks for t3.
$k = queued($p, 'B', $vals);
redis_raw(['HSET', $k[2], $t2, '1 ' . $vals[$t2]]);
show('B: release naming dead t2', json_decode($short(json_encode($rel('B', $t2))), true));
show('B after', $view($k));
show('B: release naming t3', $rel('B', $t3));
show('B after t3 named', $view($k));

// 3. The declared head is not the head (t3 named, t2 first): asks for t2, changes nothing.
$k = queued($p, 'C', $vals);
show('C: release naming t3', json_decode($short(json_encode($rel('C', $t3))), true));
show('C after', $view($k));

// 4. The head is a MultiLock waiter (entry without a value): it gets "=<token>", the general grant.
$k = queued($p, 'D', $vals);
redis_raw(['HSET', $k[2], $t2, (string)((int)(microtime(true) * 1000) + 60000)]);
show('D: release naming MultiLock waiter t2', $rel('D', $t2));
show('D after', $view($k));
show('D grant lives GRANT_MS', ttl_in($k[0], 1000, GRANT));

// 5. An entry whose time is not a number: no script error, treated as dead (the general path's rule).
$k = queued($p, 'E', $vals);
redis_raw(['HSET', $k[2], $t2, 'x ' . $vals[$t2]]);
show('E: release naming t2 with a bad entry', json_decode($short(json_encode($rel('E', $t2))), true));
show('E after', $view($k));

// 6. Not ours (t2 holds, marked '+'): nothing changes; 0 (no tombstone of t1's).
$k = queued($p, 'F', $vals);
redis_raw(['SET', $k[0], $vals[$t2] . '+', 'PX', 5000]);
show('F: release by t1 of a lock t2 holds', $rel('F', $t2));
show('F after', $view($k));

// 7. Nobody waits (no '+'): the short way, no wake-up.
$k = name_keys($p, 'G', $t1);
lua_eval('ACQUIRE', $k, [$vals[$t1], 5000, 0, ALIVE, GRANT]);
show('G: release naming t2, nobody queued', $rel('G', $t2));
show('G after', $view($k));

foreach (['A', 'B', 'C', 'D', 'E', 'F', 'G'] as $n) {
	$k = name_keys($p, $n, $t1);
	redis_raw(['DEL', $k[0], $k[1], $k[2], $k[4], "{$k[0]}:g:$t2", "{$k[0]}:g:$t3", "{$k[0]}:r:$t2"]);
}
show('undeclared keys', redis_raw(['LRANGE', lua_undeclared_key(), 0, -1]));
redis_raw(['DEL', lua_undeclared_key()]);
?>
--EXPECT--
A: release naming t2: 1
A after: {"lock":"t2:2:0:host+","pttl":"set","queue":["t3"],"waiters":1,"woken2":["t3"],"woken3":[],"tombstone":"t1"}
A lease is the hand-off lease (1 s), the wake-up lives GRANT_MS, the tombstone its life: [true,true,true]
A: the same release again (resent): 1
A: t2 releases naming t3 (nobody behind t3): 1
A after t2: {"lock":"t3:3:0:host","pttl":"set","queue":[],"waiters":0,"woken2":["t3"],"woken3":["-"],"tombstone":"t1"}
B: release naming dead t2: [-1,1,"t3"]
B after: {"lock":"t1:1:0:host+","pttl":"set","queue":["t3"],"waiters":1,"woken2":[],"woken3":[],"tombstone":null}
B: release naming t3: 1
B after t3 named: {"lock":"t3:3:0:host","pttl":"set","queue":[],"waiters":0,"woken2":[],"woken3":["-"],"tombstone":"t1"}
C: release naming t3: [-1,1,"t2"]
C after: {"lock":"t1:1:0:host+","pttl":"set","queue":["t2","t3"],"waiters":2,"woken2":[],"woken3":[],"tombstone":null}
D: release naming MultiLock waiter t2: 1
D after: {"lock":"=t2","pttl":"set","queue":["t3"],"waiters":1,"woken2":["1"],"woken3":[],"tombstone":"t1"}
D grant lives GRANT_MS: true
E: release naming t2 with a bad entry: [-1,1,"t3"]
E after: {"lock":"t1:1:0:host+","pttl":"set","queue":["t3"],"waiters":1,"woken2":[],"woken3":[],"tombstone":null}
F: release by t1 of a lock t2 holds: 0
F after: {"lock":"t2:2:0:host+","pttl":"set","queue":["t2","t3"],"waiters":2,"woken2":[],"woken3":[],"tombstone":null}
G: release naming t2, nobody queued: 1
G after: {"lock":null,"pttl":"none","queue":[],"waiters":0,"woken2":[],"woken3":[],"tombstone":"t1"}
undeclared keys: []
