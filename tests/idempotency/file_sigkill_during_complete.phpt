--TEST--
IdempotencyGuard on FileStore: SIGKILL at random points while complete() writes a multi-MB result, many times: every later delivery gets the old record (crashed: runs again) or the new one (the whole result), never a damaged record; purge() clears the dead writers' temp files
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php
require __DIR__ . '/../_support/skipif.inc';
require_once __DIR__ . '/../_support/over.inc';
skip_over(['cluster', 'sentinel'], 'FileStore only: no store in it reaches the harness Redis');
?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
$dir = lock_dir();
$s = new PayLock\FileStore($dir);
$big = str_repeat(random_bytes(1024), 4096); // 4 MB
$seen = ['replayed' => 0, 'rerun' => 0, 'other' => 0];
$rounds = 30;
for ($i = 0; $i < $rounds; $i++) {
	$ready = "$dir/ready-$i";
	$pid = pcntl_fork();
	if ($pid === 0) {
		$g = new PayLock\IdempotencyGuard(new PayLock\FileStore($dir), ['max_result_bytes' => 8 << 20]);
		$c = $g->begin("evt-$i");
		touch($ready);
		$c->complete($big);
		sleep(60); // completed: waits to be killed
		exit(0);
	}
	while (!file_exists($ready)) usleep(200);
	usleep(random_int(0, 40000));
	posix_kill($pid, SIGKILL);
	pcntl_waitpid($pid, $st);
	$g = new PayLock\IdempotencyGuard($s, ['max_result_bytes' => 8 << 20]);
	try {
		$r = $g->run("evt-$i", fn() => 'rerun');
		$seen[$r === $big ? 'replayed' : ($r === 'rerun' ? 'rerun' : 'other')]++;
		// and the record now read twice more gives the same answer
		$again = $g->run("evt-$i", fn() => 'third run');
		if ($again !== $r) echo "round $i: changed on replay\n";
	} catch (PayLock\Exception $e) {
		echo "round $i: ", get_class($e), ': ', $e->getMessage(), "\n";
	}
}
echo "other: {$seen['other']}, every round answered: ", yes($seen['replayed'] + $seen['rerun'] === $rounds, "FileStore: replayed {$seen['replayed']} + rerun {$seen['rerun']} of $rounds"), "\n";
$tmp = glob("$dir/*.tmp");
$purged = $s->purge();
echo "purge removed every temp file: ", yes($purged >= count($tmp) && !glob("$dir/*.tmp"),
	"FileStore $dir: purged $purged of " . count($tmp) . ', left ' . json_encode(array_map('basename', glob("$dir/*.tmp")))), "\n";
?>
--EXPECT--
other: 0, every round answered: yes
purge removed every temp file: yes
