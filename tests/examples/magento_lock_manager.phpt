--TEST--
Magento example: LockManager semantics on PayLock (lock/isLocked/unlock, another instance or process cannot lock, timeout 0 and N, unlock of a lock not held, release at process end, lease)
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

$prefix = uniq('magento') . ':';
$a = new LockManager(redis_store(), $prefix);
$b = new LockManager(redis_store(), $prefix);
var_dump($a instanceof Magento\Framework\Lock\LockManagerInterface);

echo "a locks: ", json_encode([$a->lock('cron_default', 0), $a->isLocked('cron_default'), $b->isLocked('cron_default')]), "\n";
$t = microtime(true);
$got = $b->lock('cron_default', 0);
printf("b, timeout 0: %s, %s\n", json_encode($got), microtime(true) - $t < 0.3 ? 'at once' : 'slow');
$t = microtime(true);
$got = $b->lock('cron_default', 1);
$took = microtime(true) - $t;
printf("b, timeout 1: %s after %s\n", json_encode($got), $took >= 1.0 && $took < 2.0 ? '~1 s' : "$took s");
echo "b unlocks what it does not hold: ", json_encode($b->unlock('cron_default')), "\n";
echo "a locks again (renews): ", json_encode($a->lock('cron_default', 0)), "\n";
echo "a unlocks: ", json_encode([$a->unlock('cron_default'), $a->unlock('cron_default'), $a->isLocked('cron_default')]), "\n";
echo "unknown name: ", json_encode([$a->unlock('never'), $a->isLocked('never')]), "\n";

// Another process holds the lock for a while: timeout -1 waits, and is woken by the unlock.
[$parent, $child] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$pid = pcntl_fork();
if ($pid === 0) {
	$c = new LockManager(redis_store(), $prefix);
	$c->lock('indexer', 0);
	fwrite($child, 'locked');
	usleep(300000);
	$c->unlock('indexer');
	posix_kill(getmypid(), SIGKILL);
}
fread($parent, 6);
$t = microtime(true);
$got = $b->lock('indexer');
$took = microtime(true) - $t;
printf("b, no timeout: %s after %s\n", json_encode($got), $took > 0.2 && $took < 1.0 ? 'the unlock' : "$took s");
pcntl_waitpid($pid, $status);
$b->unlock('indexer');

// A cron run that ends without unlock() (or with a fatal error) does not leave the lock behind.
$pid = pcntl_fork();
if ($pid === 0) {
	(new LockManager(redis_store(), $prefix))->lock('cron_index', 0);
	exit(0);
}
pcntl_waitpid($pid, $status);
echo "after the holder exited: ", json_encode([$a->isLocked('cron_index'), $a->lock('cron_index', 0)]), "\n";
$a->unlock('cron_index');

// A lease that ran out: the lock is free, and unlock() says it was no longer held.
$short = new LockManager(redis_store(), $prefix, 0.2);
$short->lock('cache', 0);
usleep(300000);
echo "after the lease: ", json_encode([$short->isLocked('cache'), $b->lock('cache', 0), $short->unlock('cache')]), "\n";
?>
--EXPECT--
bool(true)
a locks: [true,true,true]
b, timeout 0: false, at once
b, timeout 1: false after ~1 s
b unlocks what it does not hold: false
a locks again (renews): true
a unlocks: [true,false,false]
unknown name: [false,false]
b, no timeout: true after the unlock
after the holder exited: [false,true]
after the lease: [false,true,false]
