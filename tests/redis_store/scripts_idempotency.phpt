--TEST--
Idempotency scripts (ext/lua_scripts.h) against the harness Redis with hand-built KEYS and ARGV: each transition's reply and record, and every key touched is in KEYS
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

$rec = 'si:' . getmypid() . ':{k}';
$keys = [$rec, "$rec:w"];
$o1 = str_repeat('1', 32);
$o2 = str_repeat('2', 32);
function show(string $what, mixed $got): void
{
	echo $what, ': ', json_encode($got), "\n";
}
function record(string $rec): array
{
	$h = redis_raw(['HGETALL', $rec]);
	$out = [];
	for ($i = 0; $i < count($h); $i += 2) {
		$out[$h[$i]] = in_array($h[$i], ['e', 'n', 't'], true) ? 'set' : $h[$i + 1];
	}
	ksort($out);
	return $out;
}

// claim KEYS: record. ARGV: token, fingerprint, lease ms, retention ms, register as waiter, throw after crash
$c = lua_eval('IDEM_CLAIM', [$rec], [$o1, 'fp', 5000, 60000, 0, 0]);
show('o1 claims', [$c[0], $c[1] > 0 ? 'attempt > 0' : $c[1]]);
$n = $c[1];
show('record', record($rec));
show('o1 claims again (resent)', lua_eval('IDEM_CLAIM', [$rec], [$o1, 'fp', 5000, 60000, 0, 0]) === [1, $n]);
$r = lua_eval('IDEM_CLAIM', [$rec], [$o2, 'fp', 5000, 60000, 1, 0]);
show('o2 finds it running, waits', [$r[0], $r[1] === $n, $r[2] > 0 && $r[2] <= 5000 ? 'lease left' : $r[2]]);
show('waiters', redis_raw(['HGET', $rec, 'w']));
show('o2 other fingerprint', lua_eval('IDEM_CLAIM', [$rec], [$o2, 'other', 5000, 60000, 0, 0])[0]);

// refresh/complete/abandon KEYS: record, wake list. ARGV: token, arg, ms, fingerprint, attempt[, result]
show('o2 refreshes', lua_eval('IDEM_REFRESH', $keys, [$o2, 9000, 60000, 'fp', $n]));
show('o1 refreshes', lua_eval('IDEM_REFRESH', $keys, [$o1, 9000, 60000, 'fp', $n]));
show('ttl', redis_raw(['PTTL', $rec]) > 60000 ? 'lease + retention' : redis_raw(['PTTL', $rec]));
show('o2 completes', lua_eval('IDEM_COMPLETE', $keys, [$o2, 'd', 60000, 'fp', $n, 'R']));
show('o1 completes', lua_eval('IDEM_COMPLETE', $keys, [$o1, 'd', 60000, 'fp', $n, 'R']));
show('waiter woken', redis_raw(['LRANGE', "$rec:w", 0, -1]));
show('record', record($rec));
show('o2 replays', lua_eval('IDEM_CLAIM', [$rec], [$o2, 'fp', 5000, 60000, 0, 0]) === [2, $n, 'R']);

// forget KEYS: record, wake list. ARGV: force
show('forget', lua_eval('IDEM_FORGET', [...$keys, $keys[0] . ':v'], [0]));
show('gone', redis_raw(['EXISTS', $rec]));
$c = lua_eval('IDEM_CLAIM', [$rec], [$o1, '', 5000, 60000, 0, 0]);
show('claim after forget: a later attempt', [$c[0], $c[1] > $n]);
show('forget a running record', lua_eval('IDEM_FORGET', [...$keys, $keys[0] . ':v'], [0]));
show('abandon as crashed', lua_eval('IDEM_ABANDON', $keys, [$o1, 'c', 60000, '', $c[1]]));
show('claim a crashed record, throw after crash', lua_eval('IDEM_CLAIM', [$rec], [$o2, '', 5000, 60000, 0, 1])[0]);
show('abandon as unknown (not ours)', lua_eval('IDEM_ABANDON', $keys, [$o2, 'u', 60000, '', $c[1]]));
redis_raw(['DEL', $rec]);
show('abandon a vanished record writes it back', lua_eval('IDEM_ABANDON', $keys, [$o1, 'u', 60000, '', $c[1]]));
show('claim an unknown outcome', lua_eval('IDEM_CLAIM', [$rec], [$o2, '', 5000, 60000, 0, 0])[0]);
show('forced forget', lua_eval('IDEM_FORGET', [...$keys, $keys[0] . ':v'], [1]));
redis_raw(['DEL', "$rec:w"]);

show('undeclared keys', redis_raw(['LRANGE', lua_undeclared_key(), 0, -1]));
redis_raw(['DEL', lua_undeclared_key()]);
?>
--EXPECT--
o1 claims: [1,"attempt > 0"]
record: {"e":"set","f":"fp","n":"set","o":"11111111111111111111111111111111","s":"r"}
o1 claims again (resent): true
o2 finds it running, waits: [3,true,"lease left"]
waiters: "1"
o2 other fingerprint: 4
o2 refreshes: 0
o1 refreshes: 1
ttl: "lease + retention"
o2 completes: 0
o1 completes: 1
waiter woken: ["1"]
record: {"f":"fp","n":"set","o":"11111111111111111111111111111111","s":"d","t":"set","v":"R"}
o2 replays: true
forget: 1
gone: 0
claim after forget: a later attempt: [1,true]
forget a running record: 0
abandon as crashed: 1
claim a crashed record, throw after crash: 5
abandon as unknown (not ours): 0
abandon a vanished record writes it back: 1
claim an unknown outcome: 7
forced forget: 1
undeclared keys: []
