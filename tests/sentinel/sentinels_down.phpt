--TEST--
Sentinel: with Sentinels stopped one by one (SIGSTOP) discovery still works through the others, and with all stopped it fails within its bound (ConnectionException)
--EXTENSIONS--
paylock
pcntl
posix
--INI--
pcre.jit=0
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif_sentinel.inc'; ?>
--CONFLICTS--
sentinel
--FILE--
<?php
require __DIR__ . '/../_support/cluster.inc';
$pids = [];
foreach (sentinel_ports() as $p) {
	preg_match('/^process_id:(\d+)/m', (string)redis_raw(['INFO', 'server'], $p), $m);
	$pids[] = (int)$m[1];
}
// each try in a fresh child: the parent never discovers, so nothing is cached
$try = function () {
	return fork_workers(1, function () {
		$t = microtime(true);
		try {
			$ok = (new PayLock\RedisStore(sentinel_dsn()))->ping() ? 'ok' : 'false';
		} catch (PayLock\ConnectionException $e) {
			$ok = 'ConnectionException';
		}
		return [$ok, microtime(true) - $t];
	})[0];
};
try {
	foreach ([1, 2, 3] as $down) {
		posix_kill($pids[$down - 1], SIGSTOP);
		[$r, $s] = $try();
		$want = $down < 3 ? 'ok' : 'ConnectionException';
		echo "$down of 3 Sentinels stopped: ", same($r, $want), ", within 2 s: ", yes($s < 2.0, sprintf('%.2f s', $s)), "\n";
	}
} finally {
	foreach ($pids as $p) posix_kill($p, SIGCONT);
}
[$r] = $try();
echo "all back: ", same($r, 'ok'), "\n";
?>
--EXPECT--
1 of 3 Sentinels stopped: true, within 2 s: yes
2 of 3 Sentinels stopped: true, within 2 s: yes
3 of 3 Sentinels stopped: true, within 2 s: yes
all back: true
