--TEST--
paylock.metrics_file: separate CLI processes naming one file add to the same numbers and any of them reads them (also a PHP-FPM pool's, from the shell); a symlink, a file of another size, or a foreign layout is refused with a warning and metrics stay per process tree
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

$php = getenv('TEST_PHP_EXECUTABLE') ?: PHP_BINARY;
$ext = realpath(__DIR__ . '/../../modules/paylock.so');
$dir = lock_dir();
mkdir($dir, 0700);
$file = "$dir/pool.metrics";
$cli = function (string $code, string $metricsFile) use ($php, $ext) {
	return shell_exec("$php -n -d extension=$ext -d paylock.metrics_file=" . escapeshellarg($metricsFile)
		. ' -d display_errors=1 -d pcre.jit=0 -r ' . escapeshellarg($code) . ' 2>&1');
};
$cycles = 'require "' . __DIR__ . '/../_support/common.inc"; for ($i = 0; $i < 7; $i++) { $l = new PayLock\Lock(redis_store(), uniq()); $l->acquireOrFail(); $l->release(); } echo "ok\n";';
$read = 'echo PayLock\metrics();';
$ok = fn(string $text) => prom_parse($text)[0]['paylock_lock_acquires_total{store="redis",result="ok"}'] ?? null;

echo 'three CLI scripts: ', trim($cli($cycles, $file)), ' ', trim($cli($cycles, $file)), ' ', trim($cli($cycles, $file)), "\n";
echo 'a fourth reads their sum: ', same($ok($cli($read, $file)), 21.0), "\n";
echo 'others may not touch it: ', yes((fileperms($file) & 0007) === 0, sprintf('%o', fileperms($file))), "\n";

// A PHP-FPM pool naming the file: its workers add to it, and a CLI reader sees the pool's numbers.
$fpm = new PrivateFpm($ext, 2, 2, ['paylock.metrics_file' => $file]);
try {
	$script = realpath(__DIR__ . '/../_support/metrics_worker.inc');
	for ($i = 0; $i < 4; $i++) {
		$fpm->get($script, http_build_query(['do' => 'cycles', 'name' => uniq('f'), 'n' => 5, 'dsn' => redis_dsn()]));
	}
} finally {
	$fpm->stop();
}
echo 'after 4 x 5 cycles in the pool, the shell reads: ', same($ok($cli($read, $file)), 41.0), "\n";

echo "refused:\n";
symlink($file, "$dir/link");
echo '  ', preg_replace('/ in \S+ on line \d+/', '', trim(strtok($cli($read, "$dir/link"), '#'))), "\n";
file_put_contents("$dir/small", 'x');
echo '  ', preg_replace('/ in \S+ on line \d+/', '', trim(strtok($cli($read, "$dir/small"), '#'))), "\n";
$foreign = str_repeat("\xff", filesize($file));
file_put_contents("$dir/foreign", $foreign);
echo '  ', preg_replace('/ in \S+ on line \d+/', '', trim(strtok($cli($read, "$dir/foreign"), '#'))), "\n";
echo '  refused, the CLI still has metrics of its own: ', same($ok($cli($cycles . $read, "$dir/link")), 7.0), "\n";
array_map('unlink', glob("$dir/*"));
rmdir($dir);
?>
--EXPECTF--
three CLI scripts: ok ok ok
a fourth reads their sum: true
others may not touch it: yes
after 4 x 5 cycles in the pool, the shell reads: true
refused:
  Warning: PHP Startup: paylock.metrics_file "%s/link" is not used: it is a symbolic link
  Warning: PHP Startup: paylock.metrics_file "%s/small" is not used: it has another size (written by another PayLock version?); delete it
  Warning: PHP Startup: paylock.metrics_file "%s/foreign" is not used: written by another PayLock version; delete it
  refused, the CLI still has metrics of its own: true
