--TEST--
Admin scripts (ext/lua/admin_*.lua) against the harness Redis with hand-built KEYS: listing, queue, force-release hand-off and records read what the lock and record scripts wrote, and touch only their KEYS
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

$p = 'sa:' . getmypid() . ':';
$t1 = str_repeat('a', 32);
$t2 = str_repeat('b', 32);
$t3 = str_repeat('c', 32);
function show(string $what, mixed $got): void
{
	echo $what, ': ', json_encode($got), "\n";
}
$a1 = name_keys($p, 'A', $t1);
$a2 = name_keys($p, 'A', $t2);
$a3 = name_keys($p, 'A', $t3);
$b1 = name_keys($p, 'B', $t1);
lua_eval('ACQUIRE', $a1, ["$t1:1:0:host", 5000, 0, 1000, 100]);
lua_eval('ACQUIRE', $a2, ["$t2:2:0:host", 5000, 1, 1000, 100]);
lua_eval('ACQUIRE', $a3, ["$t3:3:0:host", 5000, 1, 1000, 100]);
lua_eval('ACQUIRE', $b1, ["$t1:1:0:host", 5000, 0, 1000, 100]);

redis_raw(['HSET', "$p{H}", 'f', 'v']); // another program's key that looks like a lock key
$r = lua_eval('ADMIN_LOCKS', [$a1[0], $a1[1], $a1[2], $b1[0], $b1[1], $b1[2], "$p{C}", "$p{C}:q", "$p{C}:w", "$p{H}", "$p{H}:q", "$p{H}:w"], []);
show('locks A, B, C (free), H (a hash)', [$r[0], $r[1] > 0 && $r[1] <= 5000, $r[2], $r[3], $r[5], $r[6], $r[7], $r[8], $r[9], $r[11]]);
redis_raw(['DEL', "$p{H}"]);

$q = lua_eval('ADMIN_QUEUE', [$a1[1], $a1[2]], [10]);
show('queue A', [is_int($q[0]), $q[1], (int)$q[2] > $q[0], $q[3], (int)$q[4] > $q[0]]);
show('queue A, at most 1', count(lua_eval('ADMIN_QUEUE', [$a1[1], $a1[2]], [1])));

// force KEYS: the name's six keys for a fresh token (the head's wake-up list named once asked); ARGV[5] GRANT_MS
$f = name_keys($p, 'A', str_repeat('f', 32));
$r = lua_eval('ADMIN_FORCE', $f, ['', '', '', '', 100]);
show('force A: asks for the head', [$r[0], $r[1], $r[2] === $t2]);
$f = name_keys($p, 'A', str_repeat('f', 32), $t2);
$r = lua_eval('ADMIN_FORCE', $f, ['', '', '', '', 100]);
show('force A naming t2: the released value, its PTTL', [$r[0], $r[1] > 0]);
show('A handed to the first waiter (one trip)', redis_raw(['GET', $a1[0]]));
show('t2 woken, told c waits behind it', redis_raw(['LRANGE', $a2[3], 0, -1]));
show('t1 release finds it gone', lua_eval('RELEASE', $a1, [$t1, 5000, '', '', 100]));
show('t2 confirms', lua_eval('HANDOFF_CLAIM', [$a1[0], $a1[1]], ["$t2:2:0:host", 5000]));
show('queue A now', array_slice(lua_eval('ADMIN_QUEUE', [$a1[1], $a1[2]], [10]), 1, 1));
show('force free C', lua_eval('ADMIN_FORCE', name_keys($p, 'C', str_repeat('f', 32)), ['', '', '', '', 100]));

// records: a done hash, a running one, a string key, a missing key
$d = "{$p}idem:s:{k1}";
$run = "{$p}idem:{k2}";
redis_raw(['HSET', $d, 's', 'd', 'n', '7', 't', '1000', 'v', 'xyz']);
redis_raw(['HSET', $run, 's', 'r', 'n', '8', 'e', '99999999999999']);
redis_raw(['SET', "{$p}idem:{k3}", 'x']);
$r = lua_eval('ADMIN_RECORDS', [$d, $run, "{$p}idem:{k3}", "{$p}idem:{k4}"], []);
show('records', array_slice($r, 1));
redis_raw(['DEL', $d, $run, "{$p}idem:{k3}", $a1[0], $b1[0], $a1[1], $a1[2], $b1[4], $a1[4], $a2[3]]);

show('undeclared keys', redis_raw(['LRANGE', lua_undeclared_key(), 0, -1]));
redis_raw(['DEL', lua_undeclared_key()]);
?>
--EXPECTF--
locks A, B, C (free), H (a hash): ["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:1:0:host+",true,2,"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:1:0:host",0,null,-2,0,null,0]
queue A: [true,"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",true,"cccccccccccccccccccccccccccccccc",true]
queue A, at most 1: 3
force A: asks for the head: [-1,1,true]
force A naming t2: the released value, its PTTL: ["aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:1:0:host+",true]
A handed to the first waiter (one trip): "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb:2:0:host+"
t2 woken, told c waits behind it: ["cccccccccccccccccccccccccccccccc"]
t1 release finds it gone: 0
t2 confirms: 1
queue A now: ["cccccccccccccccccccccccccccccccc"]
force free C: null
records: ["hash","d","7",null,"1000",3,"hash","r","8","99999999999999",null,0,"string",null,null,null,null,null,"none",null,null,null,null,null]
undeclared keys: []
