--TEST--
IdempotencyGuard on FileStore: 100k distinct keys with a short retention, then normal traffic: the dir's file count returns to near zero; purge() removes everything expired; a running claim is never removed
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php
require __DIR__ . '/../_support/skipif.inc';
require_once __DIR__ . '/../_support/over.inc';
skip_over(['cluster', 'sentinel'], 'FileStore only: no store in it reaches the harness Redis');
if (posix_geteuid() !== 0) die('skip needs root to mount a tmpfs (fsync on a shared disk would make 100k records take minutes)');
if (getenv('USE_ZEND_ALLOC') === '0') die('skip mount cannot run under valgrind (setuid)');
?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
$mnt = lock_dir();
mkdir($mnt);
exec('mount -t tmpfs -o size=2g tmpfs ' . escapeshellarg($mnt), $o, $rc);
$rc === 0 or die("cannot mount tmpfs\n");
$parent = getmypid();
register_shutdown_function(fn() => getmypid() === $parent && exec('umount -l ' . escapeshellarg($mnt) . ' 2>/dev/null'));
$dir = "$mnt/locks";
$files = fn() => count(scandir($dir)) - 2;
try {
	$s = new PayLock\FileStore($dir);
	$keys = getenv('PAYLOCK_RETENTION_KEYS') ?: 100000;
	$r = fork_workers(2, function (int $w) use ($dir, $keys) {
		$g = new PayLock\IdempotencyGuard(new PayLock\FileStore($dir), ['retention' => 1]);
		for ($i = $w; $i < $keys; $i += 2) $g->run("evt-$i", fn() => $i);
		return 0;
	});
	// (records expire while the others are made, so sweeping already runs here)
	echo "records on disk: ", $files() > 1000 ? 'many' : 'only ' . $files(), "\n";

	// A claim that runs for longer than in_progress_ttl + retention: expired on paper, never removed.
	$go = "$mnt/go";
	$child = pcntl_fork();
	if ($child === 0) {
		$g = new PayLock\IdempotencyGuard(new PayLock\FileStore($dir), ['retention' => 1, 'in_progress_ttl' => 1]);
		$c = $g->begin('running');
		touch("$mnt/claimed");
		// Until the parent is done or gone: the traffic below can take minutes on a loaded machine, and
		// giving up early would abandon the very claim the parent is about to check.
		for ($w = 0; $w < 60000 && !file_exists($go) && posix_getppid() === $parent; $w++) usleep(10000);
		$rec = "$dir/" . hash('sha256', 'idem:{running}');
		file_put_contents("$mnt/child", file_exists("$rec.idem") && file_exists("$rec.run") ? 'its files are all there' : 'REMOVED');
		$c->abandon();
		exit(0);
	}
	while (!file_exists("$mnt/claimed")) usleep(1000);
	$running = "$dir/" . hash('sha256', 'idem:{running}');
	sleep(3); // every record above and the running one are past their expiry now

	// Normal traffic: replays of ten keys (long retention) sweep a bounded batch as they go.
	$g = new PayLock\IdempotencyGuard($s, ['retention' => 3600]);
	for ($n = 0; $n < 5 * $keys && $files() > 40; $n += 100) {
		for ($i = 0; $i < 100; $i++) $g->run('hot-' . ($i % 10), fn() => 'hot');
	}
	$left = $files();
	echo "after traffic: ", $left <= 40 ? 'near zero' : "$left files", " (traffic claims needed: ", $n <= 4 * $keys ? 'bounded' : $n, ")\n";
	echo "running claim kept: ", yes(file_exists("$running.idem") && file_exists("$running.run"),
		"FileStore $running.idem " . (file_exists("$running.idem") ? 'kept' : 'gone') . ', .run ' . (file_exists("$running.run") ? 'kept' : 'gone')), "\n";

	// purge(): everything expired goes at once, the running claim stays.
	$g1 = new PayLock\IdempotencyGuard($s, ['retention' => 1]);
	for ($i = 0; $i < 5000; $i++) $g1->run("late-$i", fn() => $i);
	sleep(2);
	// (Claims sweep too, so a slow disk may have removed some of them already: purge() must find the rest,
	// and the next line checks that nothing expired is left.)
	$purged = $s->purge();
	echo "purge: ", $purged > 0 ? 'removed the expired records' : "removed $purged", "\n";
	$names = array_diff(scandir($dir), ['.', '..', 'fencing-counter']);
	$hot = array_map(fn($i) => hash('sha256', "idem:{hot-$i}"), range(0, 9));
	$other = array_filter($names, fn($f) => !in_array(substr($f, 0, 64), [...$hot, basename($running)]));
	echo "left: hot keys and the running claim only: ", $other ? implode(',', $other) : 'yes', "\n";
	echo "purge again: ", $s->purge(), "\n";
	touch($go);
	pcntl_waitpid($child, $st);
	echo "running claim: ", file_get_contents("$mnt/child"), "\n";
} finally {
	exec('umount -l ' . escapeshellarg($mnt) . ' 2>/dev/null');
}
?>
--EXPECT--
records on disk: many
after traffic: near zero (traffic claims needed: bounded)
running claim kept: yes
purge: removed the expired records
left: hot keys and the running claim only: yes
purge again: 0
running claim: its files are all there
