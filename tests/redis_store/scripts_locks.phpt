--TEST--
Lock scripts (ext/lua_scripts.h) against the harness Redis with hand-built KEYS and ARGV: replies, state, a hand-off asks for its waiter's wake-up list in KEYS, and every key touched is in KEYS
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

$p = 'sc:' . getmypid() . ':';
$t1 = str_repeat('a', 32);
$t2 = str_repeat('b', 32);
function show(string $what, mixed $got): void
{
	echo $what, ': ', json_encode($got), "\n";
}
$a1 = name_keys($p, 'A', $t1);
$a2 = name_keys($p, 'A', $t2);
$b1 = name_keys($p, 'B', $t1);
$mine1 = "$t1:1:0:host";
$mine2 = "$t2:2:0:host";

// Hand-offs whose grant is then taken by acquire use a long GRANT_MS: whether one counts as handed ([1,1])
// must not depend on the wake-up list outliving a slow machine's next call.
const LONG_GRANT_MS = 60000;
// acquire ARGV: value, ttl ms, mode (0 try, 1 queue, 2 leave), alive ms, GRANT_MS
show('t1 takes A', lua_eval('ACQUIRE', $a1, [$mine1, 5000, 0, 1000, 100]));
show('A holds', redis_raw(['GET', $a1[0]]));
$r = lua_eval('ACQUIRE', $a2, [$mine2, 5000, 1, 1000, 100]);
show('t2 busy on name 1, queued', [$r[0], $r[1], $r[2] > 0 && $r[2] <= 5000 ? 'pttl in (0, 5000]' : $r[2]]);
show('A marked as waited for', redis_raw(['GET', $a1[0]]));
show('A queue', redis_raw(['LRANGE', $a1[1], 0, -1]));
show('A waiters', redis_raw(['HKEYS', $a1[2]]));

// release ARGV: token, tombstone ms, -, -, GRANT_MS. A hand-off first asks for the waiter's list.
$r = lua_eval('RELEASE', $a1, [$t1, 5000, '', '', 100]);
show('t1 releases A: asks for the head', [$r[0], $r[1], $r[2] === $t2 ? 't2' : $r[2]]);
show('A still held', redis_raw(['GET', $a1[0]]));
show('t1 releases A naming t1 as head: asks again', lua_eval('RELEASE', name_keys($p, 'A', $t1, $t1), [$t1, 5000, '', '', 100])[0]);
show('t1 releases A naming t2', lua_eval('RELEASE', name_keys($p, 'A', $t1, $t2), [$t1, 5000, '', '', LONG_GRANT_MS]));
show('A granted', redis_raw(['GET', $a1[0]]));
show('t2 woken', redis_raw(['LRANGE', $a2[3], 0, -1]));
show('t1 tombstone', redis_raw(['EXISTS', $a1[4]]));
show('t1 releases A again', lua_eval('RELEASE', $a1, [$t1, 5000, '', '', 100]));
show('t2 claims the grant (handed: its wake-up not popped)', lua_eval('ACQUIRE', $a2, [$mine2, 5000, 0, 1000, 100]));
show('A holds', redis_raw(['GET', $a1[0]]));
show('t2 wake-up list gone', redis_raw(['EXISTS', $a2[3]]));
show('t2 acquires again (its reply lost): not handed', lua_eval('ACQUIRE', $a2, [$mine2, 5000, 0, 1000, 100]));
show('A queue', redis_raw(['LLEN', $a1[1]]));

// fence KEYS: lock, counter. ARGV: token, floor, counter life ms
$f = lua_eval('FENCE', [$a1[0], "{$a1[0]}:fence"], [$t2, 0, 86400000]);
show('fence issued', is_int($f) && $f > 0 ? 'positive' : $f);
show('fence again is the same', lua_eval('FENCE', [$a1[0], "{$a1[0]}:fence"], [$t2, 0, 86400000]) === $f);
show('fence not ours', lua_eval('FENCE', [$a1[0], "{$a1[0]}:fence"], [$t1, 0, 86400000]));
redis_raw(['SET', $b1[0], $mine1]);
show('fence past FENCE_MAX', lua_eval('FENCE', [$b1[0], "{$b1[0]}:fence"], [$t1, '9007199254740991', 86400000]));
redis_raw(['DEL', $b1[0]]);

// refresh KEYS: locks. ARGV: token, ttl ms
show('t2 refreshes A', lua_eval('REFRESH', [$a1[0]], [$t2, 9000]));
show('t1 refreshes A', lua_eval('REFRESH', [$a1[0]], [$t1, 9000]));
$i = lua_eval('INSPECT', [$a1[0]], []);
show('inspect', [str_starts_with($i[0], $mine2 . '|' . $f) ? 'value with fence' : $i[0], $i[1] > 5000 && $i[1] <= 9000 ? 'pttl renewed' : $i[1]]);

// leave ARGV: token, -, -, -, GRANT_MS: t2's hold goes (nobody waits)
redis_raw(['RPUSH', $a2[3], '1']);
show('t2 leaves', lua_eval('LEAVE', $a2, [$t2, '', '', '', 100]));
show('A and t2 wake-up list', [redis_raw(['EXISTS', $a1[0]]), redis_raw(['EXISTS', $a2[3]])]);

// Two names at once: KEYS of A then B.
show('t1 takes A and B', lua_eval('ACQUIRE', array_merge($a1, $b1), [$mine1, 5000, 0, 1000, 100]));
$c2 = name_keys($p, 'C', $t2);
$r = lua_eval('ACQUIRE', array_merge($c2, name_keys($p, 'B', $t2)), [$mine2, 5000, 0, 1000, 100]);
show('t2 on C and B: B (name 2) busy, C not taken', [$r[0], $r[1], redis_raw(['EXISTS', $c2[0]])]);
show('t1 releases both', lua_eval('RELEASE', array_merge($a1, $b1), [$t1, 5000, '', '', 100]));
show('both gone, tombstones', [redis_raw(['EXISTS', $a1[0], $b1[0]]), redis_raw(['EXISTS', $a1[4], $b1[4]])]);

// release_one KEYS: lock, tombstone, queue. ARGV: token, tombstone ms. The uncontended release of one name.
$e1 = name_keys($p, 'E', $t1);
$one = fn(array $k) => [$k[0], $k[4], $k[1]];
redis_raw(['SET', $e1[0], $mine1, 'PX', 5000]);
show('release_one by t2', lua_eval('RELEASE_ONE', $one(name_keys($p, 'E', $t2)), [$t2, 5000]));
redis_raw(['APPEND', $e1[0], '+']);
show('release_one with waiters gone: left to release', [lua_eval('RELEASE_ONE', $one($e1), [$t1, 5000]), redis_raw(['EXISTS', $e1[0]])]);
redis_raw(['RPUSH', $e1[1], $t2]);
show('release_one with t2 queued: names t2', [lua_eval('RELEASE_ONE', $one($e1), [$t1, 5000]) === $t2, redis_raw(['EXISTS', $e1[0]])]);
redis_raw(['DEL', $e1[1]]);
redis_raw(['SET', $e1[0], $mine1, 'PX', 5000]);
show('release_one by t1', [lua_eval('RELEASE_ONE', $one($e1), [$t1, 5000]), redis_raw(['EXISTS', $e1[0], $e1[4]])]);
show('release_one again (resent)', lua_eval('RELEASE_ONE', $one($e1), [$t1, 5000]));
redis_raw(['DEL', $e1[4]]);

// A free name whose queue has a live head: acquire hands it on (after asking for the head's list).
$d1 = name_keys($p, 'D', $t1);
$d2 = name_keys($p, 'D', $t2);
redis_raw(['SET', $d1[0], $mine1, 'PX', 5000]);
lua_eval('ACQUIRE', $d2, [$mine2, 5000, 1, 1000, 100]);
redis_raw(['DEL', $d1[0]]);
$t3 = str_repeat('c', 32);
$d3 = name_keys($p, 'D', $t3);
$r = lua_eval('ACQUIRE', $d3, ["$t3:3:0:host", 5000, 1, 1000, 100]);
show('t3 on free D with t2 queued: asks for the head', [$r[0], $r[1], $r[2] === $t2 ? 't2' : $r[2], redis_raw(['EXISTS', $d1[0]])]);
$r = lua_eval('ACQUIRE', name_keys($p, 'D', $t3, $t2), ["$t3:3:0:host", 5000, 1, 1000, 100]);
show('t3 naming t2: D handed to t2, t3 queued', [$r[0], $r[1], redis_raw(['GET', $d1[0]]), redis_raw(['LRANGE', $d1[1], 0, -1])]);
show('t2 woken', redis_raw(['LRANGE', $d2[3], 0, -1]));
// leave: t2 gives up its grant; it goes on to t3, the new head.
$r = lua_eval('LEAVE', $d2, [$t2, '', '', '', 100]);
show('t2 leaves: asks for the head', [$r[0], $r[1], $r[2] === $t3 ? 't3' : $r[2]]);
show('t2 leaves naming t3', lua_eval('LEAVE', name_keys($p, 'D', $t2, $t3), [$t2, '', '', '', 100]));
show('D granted to t3, woken', [redis_raw(['GET', $d1[0]]), redis_raw(['LRANGE', $d3[3], 0, -1])]);
redis_raw(['DEL', $d1[0], $d1[1], $d1[2], $d2[3], $d3[3]]);

// One-trip hand-off: a single-name waiter gets its own value with the short lease (HANDOFF_LEASE_MS);
// its pipelined claim extends it to the ttl. A MultiLock waiter gets "=<token>" as before.
$e1 = name_keys($p, 'E', $t1);
$e2 = name_keys($p, 'E', $t2);
lua_eval('ACQUIRE', $e1, [$mine1, 5000, 0, 1000, 100]);
lua_eval('ACQUIRE', $e2, [$mine2, 5000, 1, 1000, 100]);
show('t2 waits with its value', (bool)preg_match('/^\d+ ' . $mine2 . '$/', redis_raw(['HGET', $e1[2], $t2])));
$tc = str_repeat('c', 32);
lua_eval('ACQUIRE', name_keys($p, 'E', $tc), ["$tc:3:0:host", 5000, 1, 1000, 100]);
lua_eval('RELEASE', name_keys($p, 'E', $t1, $t2), [$t1, 5000, '', '', 100]);
show('t2 woken, told who waits behind it', redis_raw(['LRANGE', $e2[3], 0, -1]));
$pt = redis_raw(['PTTL', $e1[0]]);
show('E handed to t2, short lease', [redis_raw(['GET', $e1[0]]), $pt > 0 && $pt <= 1000]);
show('no confirm marker: the short lease alone bounds the grant', redis_raw(['HEXISTS', $e1[2], '>']));
show('t2 extends', lua_eval('HANDOFF_CLAIM', [$e1[0], $e1[1]], [$mine2, 5000]));
$pt = redis_raw(['PTTL', $e1[0]]);
show('E lease is the ttl, confirmed', [$pt > 2000 && $pt <= 5000, redis_raw(['HEXISTS', $e1[2], '>'])]);
show('t1 cannot extend it', lua_eval('HANDOFF_CLAIM', [$e1[0], $e1[1]], [$mine1, 5000]));
redis_raw(['SET', $e1[0], "=$t1", 'PX', 100]);
show('t1 claims an "=" grant', lua_eval('HANDOFF_CLAIM', [$e1[0], $e1[1]], [$mine1, 5000]));
show('E holds (c still queued)', redis_raw(['GET', $e1[0]]));
redis_raw(['DEL', $e1[0], $e1[1], $e1[2]]);
show('a lapsed short lease cannot be extended', lua_eval('HANDOFF_CLAIM', [$e1[0], $e1[1]], [$mine1, 5000]));
$f1 = name_keys($p, 'F', $t1);
$m2 = array_merge(name_keys($p, 'F', $t2), name_keys($p, 'G', $t2));
lua_eval('ACQUIRE', $f1, [$mine1, 5000, 0, 1000, 100]);
show('MultiLock t2 queued on F', lua_eval('ACQUIRE', $m2, [$mine2, 5000, 1, 1000, 100])[0]);
show('its entry has no value', (bool)preg_match('/^\d+$/', redis_raw(['HGET', $f1[2], $t2])));
lua_eval('RELEASE', name_keys($p, 'F', $t1, $t2), [$t1, 5000, '', '', LONG_GRANT_MS]);
show('F granted as before', redis_raw(['GET', $f1[0]]));
show('MultiLock t2 takes F and G', lua_eval('ACQUIRE', $m2, [$mine2, 5000, 1, 1000, 100]));
redis_raw(['DEL', $f1[0], $m2[6]]);
// An unconfirmed one-trip grant past its short lease: the next waiter's heartbeat takes the lock.
$h1 = name_keys($p, 'H', $t1);
lua_eval('ACQUIRE', $h1, [$mine1, 5000, 0, 1000, 100]);
lua_eval('ACQUIRE', name_keys($p, 'H', $t2), [$mine2, 5000, 1, 1000, 100]);
lua_eval('ACQUIRE', name_keys($p, 'H', $tc), ["$tc:3:0:host", 5000, 1, 1000, 100]);
lua_eval('RELEASE', name_keys($p, 'H', $t1, $t2), [$t1, 5000, '', '', 100]);
show('H handed to t2 (never confirms)', redis_raw(['GET', $h1[0]]));
show('c heartbeat within the short lease: still queued', lua_eval('ACQUIRE', name_keys($p, 'H', $tc), ["$tc:3:0:host", 5000, 1, 1000, 100])[0]);
redis_raw(['PEXPIRE', $h1[0], 1]); // the short lease ends
usleep(20000);
show('c heartbeat after it: takes H', lua_eval('ACQUIRE', name_keys($p, 'H', $tc), ["$tc:3:0:host", 5000, 1, 1000, 100]));
show('H holds', redis_raw(['GET', $h1[0]]));
show('t2 extension fails: lost', lua_eval('HANDOFF_CLAIM', [$h1[0], $h1[1]], [$mine2, 5000]));
redis_raw(['DEL', $h1[0], $h1[1], $h1[2]]);
// A woken waiter that takes its one-trip grant through the acquire script (its BLPOP had timed out, or
// replicas are asked for) confirms it: a later heartbeat past the confirm time must not take it back.
$k1 = name_keys($p, 'K', $t1);
lua_eval('ACQUIRE', $k1, [$mine1, 5000, 0, 1000, 100]);
lua_eval('ACQUIRE', name_keys($p, 'K', $t2), [$mine2, 5000, 1, 1000, 100]);
lua_eval('ACQUIRE', name_keys($p, 'K', $tc), ["$tc:3:0:host", 5000, 1, 1000, 100]);
lua_eval('RELEASE', name_keys($p, 'K', $t1, $t2), [$t1, 5000, '', '', LONG_GRANT_MS]);
show('K handed to t2, t2 takes it by acquire', lua_eval('ACQUIRE', name_keys($p, 'K', $t2), [$mine2, 5000, 1, 1000, 100]));
show('its grant is confirmed', redis_raw(['HEXISTS', $k1[2], '>']));
show('c heartbeat later: still queued, K still t2\'s', [lua_eval('ACQUIRE', name_keys($p, 'K', $tc), ["$tc:3:0:host", 5000, 1, 1000, 100])[0], substr((string)redis_raw(['GET', $k1[0]]), 0, 32) === $t2]);
redis_raw(['DEL', $k1[0], $k1[1], $k1[2]]);
// Mode 3 (one slot group of a cross-slot MultiLock): queued as in mode 1, but even a single name is
// handed over as "=<token>", never in one trip: the waiter must still take its other groups.
$m1 = name_keys($p, 'M', $t1);
lua_eval('ACQUIRE', $m1, [$mine1, 5000, 0, 1000, 100]);
show('t2 queues on M in mode 3', lua_eval('ACQUIRE', name_keys($p, 'M', $t2), [$mine2, 5000, 3, 1000, 100])[0]);
show('t2 leaves no lock value with its place', redis_raw(['HGET', $m1[2], $t2]) === (string)(int)redis_raw(['HGET', $m1[2], $t2]));
lua_eval('RELEASE', name_keys($p, 'M', $t1, $t2), [$t1, 5000, '', '', LONG_GRANT_MS]);
show('M handed to t2 as a grant', redis_raw(['GET', $m1[0]]) === "=$t2");
show('t2 takes it with its next call', lua_eval('ACQUIRE', name_keys($p, 'M', $t2), [$mine2, 5000, 3, 1000, 100]));
redis_raw(['DEL', $m1[0], $m1[1], $m1[2]]);
show('undeclared keys', redis_raw(['LRANGE', lua_undeclared_key(), 0, -1]));
redis_raw(['DEL', lua_undeclared_key()]);
?>
--EXPECTF--
t1 takes A: [1]
A holds: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:1:0:host"
t2 busy on name 1, queued: [0,1,"pttl in (0, 5000]"]
A marked as waited for: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:1:0:host+"
A queue: ["bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"]
A waiters: ["bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"]
t1 releases A: asks for the head: [-1,1,"t2"]
A still held: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:1:0:host+"
t1 releases A naming t1 as head: asks again: -1
t1 releases A naming t2: 1
A granted: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb:2:0:host"
t2 woken: ["-"]
t1 tombstone: 1
t1 releases A again: 1
t2 claims the grant (handed: its wake-up not popped): [1,1]
A holds: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb:2:0:host"
t2 wake-up list gone: 0
t2 acquires again (its reply lost): not handed: [1]
A queue: 0
fence issued: "positive"
fence again is the same: true
fence not ours: -1
fence past FENCE_MAX: -4
t2 refreshes A: 1
t1 refreshes A: 0
inspect: ["value with fence","pttl renewed"]
t2 leaves: 1
A and t2 wake-up list: [0,0]
t1 takes A and B: [1]
t2 on C and B: B (name 2) busy, C not taken: [0,2,0]
t1 releases both: 2
both gone, tombstones: [0,2]
release_one by t2: 0
release_one with waiters gone: left to release: [-1,1]
release_one with t2 queued: names t2: [true,1]
release_one by t1: [1,1]
release_one again (resent): 1
t3 on free D with t2 queued: asks for the head: [-1,1,"t2",0]
t3 naming t2: D handed to t2, t3 queued: [0,1,"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb:2:0:host+",["cccccccccccccccccccccccccccccccc"]]
t2 woken: ["-"]
t2 leaves: asks for the head: [-1,1,"t3"]
t2 leaves naming t3: 1
D granted to t3, woken: ["cccccccccccccccccccccccccccccccc:3:0:host",["-"]]
t2 waits with its value: true
t2 woken, told who waits behind it: ["cccccccccccccccccccccccccccccccc"]
E handed to t2, short lease: ["bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb:2:0:host+",true]
no confirm marker: the short lease alone bounds the grant: 0
t2 extends: 1
E lease is the ttl, confirmed: [true,0]
t1 cannot extend it: 0
t1 claims an "=" grant: 1
E holds (c still queued): "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa:1:0:host+"
a lapsed short lease cannot be extended: 0
MultiLock t2 queued on F: 0
its entry has no value: true
F granted as before: "=bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
MultiLock t2 takes F and G: [1,1]
H handed to t2 (never confirms): "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb:2:0:host+"
c heartbeat within the short lease: still queued: 0
c heartbeat after it: takes H: [1]
H holds: "cccccccccccccccccccccccccccccccc:3:0:host"
t2 extension fails: lost: 0
K handed to t2, t2 takes it by acquire: [1,1]
its grant is confirmed: 0
c heartbeat later: still queued, K still t2's: [0,true]
t2 queues on M in mode 3: 0
t2 leaves no lock value with its place: true
M handed to t2 as a grant: true
t2 takes it with its next call: [1,1]
undeclared keys: []
