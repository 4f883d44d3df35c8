--TEST--
Magento example: LockManager leases are short and kept alive by the SIGALRM heartbeat while a CLI holder lives (also while it waits for another lock); a holder killed outright frees its lock within one lease, not an hour
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
require __DIR__ . '/magento.inc';
use PayLock\Magento\Model\LockManager;

echo 'default lease: ', LockManager::DEFAULT_TTL, " s\n";
$prefix = uniq('magento') . ':';
$ttl = 3.0; // heartbeat every second
$parent = new LockManager(redis_store(), $prefix, $ttl);
$parent->lock('busy', 0);

[$p, $c] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$start = microtime(true);
$pid = pcntl_fork();
if ($pid === 0) {
	$m = new LockManager(redis_store(), $prefix, $ttl);
	$m->lock('reindex', 0);
	// A long job: waits 2 s for a lock another process holds (alarms arrive during the wait), then works.
	$waited = $m->lock('busy', 2);
	while (microtime(true) - $start < 4.2) {
		usleep(100000);
	}
	fwrite($c, json_encode(['busy' => $waited, 'holds' => $m->isLocked('reindex')]));
	while (true) {
		usleep(100000); // until killed
	}
}
$report = json_decode(fread($p, 100), true);
$holder = PayLock\holder(redis_store(), $prefix . 'reindex');
printf("after %.0f s (lease %.0f s): child waited for busy: %s, still holds reindex: %s\n",
	floor(microtime(true) - $start), $ttl, json_encode($report['busy']), yes($holder !== null && $holder['pid'] === $pid, "holder of {$prefix}reindex: " . json_encode($holder) . ", child pid $pid"));
posix_kill($pid, SIGKILL);
pcntl_waitpid($pid, $status);
$killed = microtime(true);
while (PayLock\holder(redis_store(), $prefix . 'reindex') !== null && microtime(true) - $killed < 10) {
	usleep(50000);
}
$freed = microtime(true) - $killed;
printf("killed holder's lock free within one lease: %s\n", $freed < $ttl + 0.5 ? 'yes' : "no ($freed s)");

// heartbeat: false (for holders that cannot take SIGALRM): the lease is not renewed.
$pid = pcntl_fork();
if ($pid === 0) {
	$m = new LockManager(redis_store(), $prefix, $ttl, heartbeat: false);
	$m->lock('consumer', 0);
	$t = microtime(true);
	while (microtime(true) - $t < 3.6) {
		usleep(100000);
	}
	fwrite($c, json_encode(['holds' => PayLock\holder(redis_store(), $prefix . 'consumer') !== null]));
	posix_kill(getmypid(), SIGKILL);
}
echo 'without the heartbeat, held after its lease: ', json_decode(fread($p, 100), true)['holds'] ? 'yes' : 'no', "\n";
pcntl_waitpid($pid, $status);
$parent->unlock('busy');
?>
--EXPECT--
default lease: 60 s
after 4 s (lease 3 s): child waited for busy: false, still holds reindex: yes
killed holder's lock free within one lease: yes
without the heartbeat, held after its lease: no
