--TEST--
E_WARNINGs of failures that repeat in a loop (a release that cannot reach Redis) are raised once per request and then at most once per PAYLOCK_WARNING_REPEAT_NS: a long-running worker does not write a line per job; a logger still gets every lock_lost event
--EXTENSIONS--
paylock
posix
--INI--
pcre.jit=0
--FILE--
<?php
require_once __DIR__ . '/../_support/common.inc';
require_once __DIR__ . '/../_support/redis_server.inc';

$redis = new PrivateRedis();
$store = new PayLock\RedisStore($redis->dsn(), ['connect_timeout' => 0.5, 'read_timeout' => 0.5]);
$locks = [];
for ($i = 0; $i < 5; $i++) {
	$locks[$i] = new PayLock\Lock($store, "job-$i");
	$locks[$i]->acquireOrFail();
}
$redis->stop();
$warnings = [];
set_error_handler(function ($n, $s) use (&$warnings) {
	if (!str_starts_with($s, 'stream_socket_client')) {
		$warnings[] = $s;
	}
	return true;
});
for ($i = 0; $i < 5; $i++) {
	unset($locks[$i]); // a worker's job ends: the destructor releases, and cannot
}
echo 'warnings for 5 failed releases: ', count($warnings), "\n";
echo '  ', preg_replace('/at \S+:\d+/', 'at HOST', $warnings[0] ?? '(none)'), "\n";
?>
--EXPECTF--
warnings for 5 failed releases: 1
  %sCould not release lock "job-0" on destruction: %s; it stays held until its lease ends
