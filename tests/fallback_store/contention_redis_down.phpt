--TEST--
FallbackStore: 8 forked processes doing read-modify-write with Redis down lose no update (degraded to flock)
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--INI--
display_errors=0
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
$s = stream_socket_server('tcp://127.0.0.1:0');
$port = (int)explode(':', stream_socket_get_name($s, false))[1];
fclose($s);   // nothing listens: Redis is down
$dir = lock_dir();
new PayLock\FileStore($dir);
$file = "$dir/../fb-counter-" . getmypid();
file_put_contents($file, '0');
$r = fork_workers(8, function () use ($dir, $file, $port) {
	$fb = new PayLock\FallbackStore(new PayLock\RedisStore("redis://127.0.0.1:$port"), new PayLock\FileStore($dir));
	$degraded = 0;
	for ($k = 0; $k < 30; $k++) {
		$l = new PayLock\Lock($fb, 'stock:9');
		$l->acquireOrFail(30);
		$degraded += $l->isDegraded() ? 1 : 0;
		$v = (int)file_get_contents($file);
		usleep(100);
		file_put_contents($file, (string)($v + 1));
		$l->release();
	}
	return $degraded;
});
echo "counter: ", file_get_contents($file), "\n";
echo "degraded acquires per worker: ", implode(',', $r), "\n";
?>
--EXPECT--
counter: 240
degraded acquires per worker: 30,30,30,30,30,30,30,30
