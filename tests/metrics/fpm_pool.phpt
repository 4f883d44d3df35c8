--TEST--
metrics(): 8 PHP-FPM workers (recycled every 3 requests) add to one set of pool-wide counters; the scraped exposition parses and equals the known sums exactly
--EXTENSIONS--
paylock
posix
--SKIPIF--
<?php
if (!is_executable('/usr/sbin/php-fpm8.2')) die('skip php-fpm8.2 is not installed (apt-get install php8.2-fpm)');
?>
--INI--
pcre.jit=0
--FILE--
<?php
require_once __DIR__ . '/../_support/common.inc';
require_once __DIR__ . '/../_support/fastcgi.inc';
require_once __DIR__ . '/../_support/prometheus.inc';

const WORKERS = 8;
$script = realpath(__DIR__ . '/../_support/metrics_worker.inc');
$dsn = redis_dsn();
// paylock.metrics stays at its default (auto): on under FPM.
$fpm = new PrivateFpm(realpath(__DIR__ . '/../../modules/paylock.so'), WORKERS, 3);
$q = fn(array $p) => http_build_query($p + ['dsn' => $dsn]);
$endpoint = realpath(__DIR__ . '/../../examples/metrics.php'); // the example scrape endpoint
$pids = [];
$run = function (array $params) use ($fpm, $script, $q, &$pids) {
	$body = $fpm->get($script, $q($params));
	if (!preg_match('/^(\d+) ok$/m', $body, $m)) {
		throw new RuntimeException("worker answered: $body");
	}
	$pids[$m[1]] = true;
};
try {
	$before = prom_parse($fpm->get($endpoint))[0];
	// 1. Uncontended cycles: 24 requests x 5 cycles.
	$base = uniq('metrics-cycles');
	for ($i = 0; $i < 24; $i++) {
		$run(['do' => 'cycles', 'name' => $base, 'n' => 5]);
	}
	// 2. Waits: the test holds a lock, 6 concurrent requests wait for it, then get it one after another.
	$name = uniq('metrics-wait');
	$holder = new PayLock\Lock(redis_store(), $name, 30);
	$holder->acquireOrFail();
	$dir = getenv('PAYLOCK_TEST_TMP') ?: sys_get_temp_dir();
	$markers = [];
	$socks = [];
	for ($i = 0; $i < 6; $i++) {
		$markers[] = $marker = "$dir/" . uniq('marker');
		$socks[] = fastcgi_start($fpm->socket, $script, $q(['do' => 'wait', 'name' => $name, 'marker' => $marker]));
	}
	for ($t = 0; $t < 400 && count(array_filter($markers, 'file_exists')) < 6; $t++) {
		usleep(25000);
	}
	usleep(500000); // from the marker to the first look at the lock: far less than this
	$holder->release();
	foreach ($socks as $s) {
		$body = fastcgi_finish($s);
		preg_match('/^(\d+) ok$/m', $body, $m) ? $pids[$m[1]] = true : print("waiter answered: $body\n");
	}
	array_map('unlink', array_filter($markers, 'file_exists'));
	// 3. Single tries on a held name: 4 busy.
	$holder->acquireOrFail();
	for ($i = 0; $i < 4; $i++) {
		$run(['do' => 'busy', 'name' => $name]);
	}
	$holder->release();
	// 4. Idempotency: 2 keys, 5 deliveries each: 2 first runs, 8 replays.
	foreach ([uniq('pay'), uniq('pay')] as $key) {
		for ($i = 0; $i < 5; $i++) {
			$run(['do' => 'idem', 'key' => $key]);
		}
	}
	$text = $fpm->get($endpoint);
	[$headers] = fastcgi_get($fpm->socket, $endpoint);
} finally {
	$fpm->stop();
}
[$after, $errors] = prom_parse($text);
echo 'content type: ', yes(str_contains($headers, 'Content-Type: text/plain; version=0.0.4'), $headers), "\n";
echo 'exposition parses: ', yes($errors === [], implode('; ', $errors)), "\n";
echo 'workers recycled (distinct pids > ', WORKERS, '): ', yes(count($pids) > WORKERS, count($pids) . ' pids'), "\n";
$delta = fn(string $k) => ($after[$k] ?? NAN) - ($before[$k] ?? 0);
$want = [
	'paylock_lock_acquires_total{store="redis",result="ok"}' => 24 * 5 + 6,
	'paylock_lock_acquires_total{store="redis",result="busy"}' => 4,
	'paylock_lock_acquires_total{store="redis",result="timeout"}' => 0,
	'paylock_lock_acquires_total{store="redis",result="error"}' => 0,
	'paylock_lock_waits_total{store="redis"}' => 6,
	'paylock_lock_releases_total{store="redis"}' => 24 * 5 + 6,
	'paylock_lock_lost_total{store="redis"}' => 0,
	'paylock_lock_wait_seconds_count{store="redis"}' => 6,
	'paylock_lock_hold_seconds_count{store="redis"}' => 24 * 5 + 6,
	'paylock_idempotency_claims_total{store="redis",result="first_run"}' => 2,
	'paylock_idempotency_claims_total{store="redis",result="replay"}' => 8,
	'paylock_idempotency_claims_total{store="redis",result="in_progress"}' => 0,
	'paylock_lock_acquires_total{store="file",result="ok"}' => 0,
];
foreach ($want as $k => $v) {
	echo "$k: ", same($delta($k), (float)$v), "\n";
}
// The waits took at least the 0.5 s the test held the lock; each waiter waited at least once.
echo 'wait seconds sum >= 0.5: ', yes($delta('paylock_lock_wait_seconds_sum{store="redis"}') >= 0.5,
	(string)$delta('paylock_lock_wait_seconds_sum{store="redis"}')), "\n";
echo 'no wait under 0.25 s: ', yes($delta('paylock_lock_wait_seconds_bucket{store="redis",le="0.25"}') == 0,
	(string)$delta('paylock_lock_wait_seconds_bucket{store="redis",le="0.25"}')), "\n";
?>
--EXPECT--
content type: yes
exposition parses: yes
workers recycled (distinct pids > 8): yes
paylock_lock_acquires_total{store="redis",result="ok"}: true
paylock_lock_acquires_total{store="redis",result="busy"}: true
paylock_lock_acquires_total{store="redis",result="timeout"}: true
paylock_lock_acquires_total{store="redis",result="error"}: true
paylock_lock_waits_total{store="redis"}: true
paylock_lock_releases_total{store="redis"}: true
paylock_lock_lost_total{store="redis"}: true
paylock_lock_wait_seconds_count{store="redis"}: true
paylock_lock_hold_seconds_count{store="redis"}: true
paylock_idempotency_claims_total{store="redis",result="first_run"}: true
paylock_idempotency_claims_total{store="redis",result="replay"}: true
paylock_idempotency_claims_total{store="redis",result="in_progress"}: true
paylock_lock_acquires_total{store="file",result="ok"}: true
wait seconds sum >= 0.5: yes
no wait under 0.25 s: yes
