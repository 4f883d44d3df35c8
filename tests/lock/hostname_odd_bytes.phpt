--TEST--
Lock: a hostname with bytes a lock value gives meaning to ('|' starts the fence, a final '+' marks waiters, a newline ends a FileStore holder line) is written with '_' for them: fencing tokens still increase, holder() still parses, on Redis and on files
--EXTENSIONS--
paylock
posix
--SKIPIF--
<?php
require __DIR__ . '/../_support/skipif.inc';
if (posix_geteuid() !== 0) die('skip needs root to set a hostname in its own UTS namespace');
exec('unshare -u true 2>&1', $o, $rc);
if ($rc !== 0) die('skip unshare -u not available here');
?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
$php = getenv('TEST_PHP_EXECUTABLE') ?: PHP_BINARY;
$ext = realpath(__DIR__ . '/../../modules/paylock.so');
$dir = lock_dir();
$code = '$out = [];'
	. 'foreach (["redis" => new PayLock\RedisStore(' . var_export(redis_dsn(), true) . '), "file" => new PayLock\FileStore(' . var_export($dir, true) . ')] as $k => $s) {'
	. '  $name = ' . var_export(uniq('host'), true) . '; $f = [];'
	. '  for ($i = 0; $i < 3; $i++) { $l = new PayLock\Lock($s, $name, 5); $l->acquire(); $f[] = $l->fencingToken(); $h = PayLock\holder($s, $name); $l->release(); }'
	. '  $out[$k] = ["increasing" => $f[0] < $f[1] && $f[1] < $f[2], "host" => $h["host"] ?? null];'
	. '}'
	. 'echo json_encode($out), "\n";';
// The kernel takes any bytes for a hostname (hostname(1) refuses these, so /proc): "web|7+" would read as fence 7 with waiters.
$cmd = 'unshare -u sh -c ' . escapeshellarg('printf %s "web|7+" > /proc/sys/kernel/hostname && exec "$@"') . ' sh '
	. escapeshellarg($php) . ' -n -d extension=' . escapeshellarg($ext) . ' -r ' . escapeshellarg($code) . ' 2>&1';
echo shell_exec($cmd);
?>
--EXPECT--
{"redis":{"increasing":true,"host":"web_7_"},"file":{"increasing":true,"host":"web_7_"}}
