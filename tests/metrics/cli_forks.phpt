--TEST--
metrics() with paylock.metrics=on in the CLI: forked children add to the parent's numbers (lock results on Redis, files and a degraded FallbackStore, waits, store errors by class, idempotency claims); per-process stats() stays per process
--EXTENSIONS--
paylock
pcntl
posix
--INI--
paylock.metrics=on
pcre.jit=0
--FILE--
<?php
require_once __DIR__ . '/../_support/common.inc';
require_once __DIR__ . '/../_support/prometheus.inc';

const KIDS = 6;
$dir = lock_dir();
$dead = 'redis://127.0.0.1:' . redis_server_free_port(); // nothing listens there
$busy = uniq('busy');
$before = prom_parse(PayLock\metrics())[0];
$holder = new PayLock\Lock(new PayLock\FileStore($dir), $busy);
$holder->acquireOrFail();
$results = fork_workers(KIDS, function (int $i) use ($dir, $dead, $busy) {
	$redis = redis_store();
	$files = new PayLock\FileStore($dir);
	for ($n = 0; $n < 10; $n++) {
		$l = new PayLock\Lock($redis, uniq("cycle$i"));
		$l->acquireOrFail();
		$l->release();
		$f = new PayLock\Lock($files, uniq("file$i"));
		$f->acquireOrFail();
		unset($f); // released by its destructor
	}
	// A timeout: the parent holds $busy on files.
	$t = new PayLock\Lock($files, $busy);
	$timedOut = !$t->acquire(0.05);
	// A connection error, and a degraded acquire.
	try {
		(new PayLock\Lock(new PayLock\RedisStore($dead, ['connect_timeout' => 0.2]), 'x'))->acquire();
	} catch (PayLock\ConnectionException $e) {
	}
	$fb = new PayLock\FallbackStore(new PayLock\RedisStore($dead, ['connect_timeout' => 0.2]), $files);
	$d = new PayLock\Lock($fb, uniq("fb$i"));
	@$d->acquireOrFail();
	$d->release();
	// Idempotency: one key for all children: one first run, the rest replays or in-progress.
	$g = new PayLock\IdempotencyGuard($redis);
	$g->run('metrics-cli-' . getmypid(), fn() => 1);
	$g->run('metrics-cli-' . getmypid(), fn() => 1);
	return [$timedOut, PayLock\stats()['acquired']];
});
$holder->release();
[$after, $errors] = prom_parse(PayLock\metrics());
echo 'children: ', yes(count(array_filter($results, 'is_array')) === KIDS, json_encode($results)), "\n";
echo 'timeouts seen: ', yes(array_sum(array_map(fn($r) => (int)$r[0], $results)) === KIDS, json_encode($results)), "\n";
// stats() counts per process: the parent's acquire before the fork, then the child's own 21.
echo 'stats() per process: ', yes(array_unique(array_map(fn($r) => $r[1], $results)) === [22], json_encode($results)), "\n";
echo 'exposition parses: ', yes($errors === [], implode('; ', $errors)), "\n";
$delta = fn(string $k) => ($after[$k] ?? NAN) - ($before[$k] ?? 0);
foreach ([
	'paylock_lock_acquires_total{store="redis",result="ok"}' => 10 * KIDS,
	'paylock_lock_acquires_total{store="file",result="ok"}' => 10 * KIDS + 1, // and the parent's
	'paylock_lock_acquires_total{store="file",result="timeout"}' => KIDS,
	'paylock_lock_waits_total{store="file"}' => KIDS,
	'paylock_lock_wait_seconds_count{store="file"}' => KIDS,
	'paylock_lock_releases_total{store="redis"}' => 10 * KIDS,
	'paylock_lock_releases_total{store="file"}' => 10 * KIDS + 1,
	'paylock_lock_hold_seconds_count{store="file"}' => 10 * KIDS + 1,
	'paylock_lock_acquires_total{store="redis",result="error"}' => KIDS,
	'paylock_store_errors_total{class="connection"}' => KIDS,
	'paylock_store_errors_total{class="store"}' => 0,
	'paylock_lock_acquires_total{store="fallback",result="ok"}' => KIDS,
	'paylock_lock_degraded_total{store="fallback"}' => KIDS,
	'paylock_lock_releases_total{store="fallback"}' => KIDS,
	'paylock_idempotency_claims_total{store="redis",result="first_run"}' => KIDS,
	'paylock_idempotency_claims_total{store="redis",result="replay"}' => KIDS,
] as $k => $v) {
	echo "$k: ", same($delta($k), (float)$v), "\n";
}
echo 'timeout waits >= 0.05 s: ', yes($delta('paylock_lock_wait_seconds_sum{store="file"}') >= 0.05 * KIDS,
	(string)$delta('paylock_lock_wait_seconds_sum{store="file"}')), "\n";
?>
--EXPECT--
children: yes
timeouts seen: yes
stats() per process: yes
exposition parses: yes
paylock_lock_acquires_total{store="redis",result="ok"}: true
paylock_lock_acquires_total{store="file",result="ok"}: true
paylock_lock_acquires_total{store="file",result="timeout"}: true
paylock_lock_waits_total{store="file"}: true
paylock_lock_wait_seconds_count{store="file"}: true
paylock_lock_releases_total{store="redis"}: true
paylock_lock_releases_total{store="file"}: true
paylock_lock_hold_seconds_count{store="file"}: true
paylock_lock_acquires_total{store="redis",result="error"}: true
paylock_store_errors_total{class="connection"}: true
paylock_store_errors_total{class="store"}: true
paylock_lock_acquires_total{store="fallback",result="ok"}: true
paylock_lock_degraded_total{store="fallback"}: true
paylock_lock_releases_total{store="fallback"}: true
paylock_idempotency_claims_total{store="redis",result="first_run"}: true
paylock_idempotency_claims_total{store="redis",result="replay"}: true
timeout waits >= 0.05 s: yes
