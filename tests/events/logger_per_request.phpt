--TEST--
setLogger() lasts one request: the next request served by the same PHP-FPM worker has no logger (its events are warnings again), and a logger set there gets them
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

$script = realpath(__DIR__ . '/../_support/metrics_worker.inc');
$fpm = new PrivateFpm(realpath(__DIR__ . '/../../modules/paylock.so'), 1, 100); // one worker serves all
$dir = lock_dir();
$dead = 'redis://127.0.0.1:' . redis_server_free_port();
$q = fn(array $p) => http_build_query($p + ['dsn' => redis_dsn(), 'dir' => $dir, 'dead' => $dead]);
try {
	$show = fn(string $body) => '  ' . trim(preg_replace('/^(\d+) ok$/m', 'ok', preg_replace('/ at \S+ /', ' at ... ', $body))) . "\n";
	echo "request 1 sets a logger, then degrades:\n", $show($fpm->get($script, $q(['do' => 'degrade', 'logger' => 1])));
	echo "request 2, same worker, no logger:\n", $show($fpm->get($script, $q(['do' => 'degrade'])));
} finally {
	$fpm->stop();
}
?>
--EXPECTF--
request 1 sets a logger, then degrades:
  logged degraded
ok
request 2, same worker, no logger:
  <br />
<b>Warning</b>:  PayLock\Lock::acquireOrFail(): Cannot connect to Redis at ... Connection refused; FallbackStore continues on local file locks only (degraded) for this request in <b>%s</b> on line <b>%d</b><br />
ok
