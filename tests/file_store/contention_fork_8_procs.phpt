--TEST--
FileStore: 8 forked processes doing read-modify-write under one name lose no update; fencing tokens follow the counter
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
$dir = lock_dir();
new PayLock\FileStore($dir);
$file = "$dir/../counter-" . getmypid();
file_put_contents($file, '0');
$r = fork_workers(8, function (int $i) use ($dir, $file) {
	$s = new PayLock\FileStore($dir);
	$seen = [];
	for ($k = 0; $k < 40; $k++) {
		$l = new PayLock\Lock($s, 'stock:1');
		$l->acquireOrFail(30);
		$v = (int)file_get_contents($file);
		usleep(100);
		file_put_contents($file, (string)($v + 1));
		$seen[] = [$l->fencingToken(), $v];
		$l->release() or throw new RuntimeException('release failed');
	}
	return $seen;
});
$all = [];
foreach ($r as $i => $seen) {
	if (!is_array($seen)) { echo "child $i: $seen\n"; continue; }
	$all = array_merge($all, $seen);
}
echo "counter: ", file_get_contents($file), "\n";
usort($all, fn($a, $b) => $a[0] <=> $b[0]);
$bad = null;
foreach ($all as $k => [$fence, $v]) {
	if ($v !== $k || ($k > 0 && $fence <= $all[$k - 1][0])) {
		$bad ??= "FileStore: hold $k saw counter $v with token $fence, the hold before had token " . ($all[$k - 1][0] ?? '-');
	}
}
echo "fencing tokens strictly increase in counter order: ", yes($bad === null, (string)$bad), "\n";
var_dump(lock_files($dir));
?>
--EXPECT--
counter: 320
fencing tokens strictly increase in counter order: yes
array(0) {
}
