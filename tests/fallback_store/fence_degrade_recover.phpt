--TEST--
FallbackStore fencing: degrade -> recover sequences keep tokens strictly increasing (Redis kept its counter; Redis lost it)
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
require_once __DIR__ . '/../_support/redis_server.inc';
// AOF with fsync on every write: a SIGKILL loses nothing, so Redis comes back with its old counter.
$redis = new PrivateRedis(['--appendonly', 'yes', '--appendfsync', 'always']);
$fb = new PayLock\FallbackStore(new PayLock\RedisStore($redis->dsn(), ['connect_timeout' => 0.2]),
	new PayLock\FileStore(lock_dir()));
set_error_handler(fn() => true, E_WARNING | E_NOTICE);

function three(PayLock\Store $s, string $phase, array &$seq): void
{
	for ($i = 0; $i < 3; $i++) {
		$l = new PayLock\Lock($s, 'order:7', 10);
		$l->acquire();
		$seq[] = [$phase . ($l->isDegraded() ? '(degraded)' : ''), $l->fencingToken()];
		$l->release();
	}
}

$seq = [];
three($fb, 'redis', $seq);
$redis->stop();
three($fb, 'down', $seq);
$redis->start();          // same data: the counter where Redis left it
three($fb, 'back', $seq);
$redis->cmd(['FLUSHALL']); // counter lost
three($fb, 'flushed', $seq);
$redis->stop();
three($fb, 'down again', $seq);
$redis->start();
three($fb, 'back again', $seq);

$bad = 0;
foreach ($seq as $i => [$phase, $t]) {
	if ($i > 0 && $t <= $seq[$i - 1][1]) {
		$bad++;
		echo "token went back at $phase: ", $seq[$i - 1][1], " -> $t\n";
	}
}
echo implode(' ', array_unique(array_column($seq, 0))), "\n";
echo "not increasing: $bad\n";
?>
--EXPECT--
redis down(degraded) back flushed down again(degraded) back again
not increasing: 0
