--TEST--
symfony/lock bridge: LockFactory locks on PayLockStore exclude across forked processes (no lost update), a blocking acquire waits for the holder in another process and is handed the lock on release, a non-blocking one fails without waiting
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/common.inc';
require __DIR__ . '/../_support/admin.inc';
require_debian('Symfony/Component/Lock/autoload.php', 'php-symfony-lock');

use PayLock\Bridge\Symfony\PayLockStore;
use Symfony\Component\Lock\LockFactory;

$name = uniq('sf-counter');
$counter = tally_file();
$workers = procs(8, 4);
$rounds = 5;
$res = fork_workers($workers, function () use ($name, $counter, $rounds) {
	$factory = new LockFactory(new PayLockStore(redis_store()));
	for ($i = 0; $i < $rounds; $i++) {
		$lock = $factory->createLock($name, 10.0);
		$lock->acquire(true);
		slow_increment($counter);
		$lock->release();
	}
	return 'ok';
});
echo 'workers: ', implode(' ', array_unique($res)), "\n";
echo 'counter equals workers x rounds: ', (int)file_get_contents($counter) === $workers * $rounds ? 'yes' : 'no: ' . file_get_contents($counter), "\n";

// A holder in another process keeps the lock until somebody queues for it (at most 30 s), then writes its
// release time and releases. Order, not timing, makes each check meaningful: a non-blocking acquire that
// queued would see the release; a blocking one can only be handed the lock by that release. One that
// waited without queueing is caught by a bound loose enough for valgrind on a busy machine.
const NON_BLOCKING_BOUND_S = 5.0;
$name = uniq('sf-block');
$released = tally_file();
$pid = pcntl_fork();
if ($pid === 0) {
	$store = redis_store();
	$lock = (new LockFactory(new PayLockStore($store)))->createLock($name, 60.0);
	$lock->acquire();
	$admin = new PayLock\Admin($store);
	$queued = wait_until(fn() => count($admin->queue($name)) > 0, 30.0);
	file_put_contents($released, $queued ? (string)microtime(true) : 'nobody queued within 30 s');
	$lock->release();
	posix_kill(getmypid(), SIGKILL);
}
wait_until(fn() => PayLock\holder(redis_store(), $name) !== null, 30.0);
$factory = new LockFactory(new PayLockStore(redis_store()));
$t = microtime(true);
$refused = !$factory->createLock($name)->acquire();
$took = microtime(true) - $t;
echo 'non-blocking while held elsewhere: ', $refused ? 'refused' : 'acquired', ' without waiting for the holder: ',
	yes(!is_file($released) && $took < NON_BLOCKING_BOUND_S, sprintf('%s: took %.3f s, the holder released at %s', $name, $took,
	is_file($released) ? file_get_contents($released) : '-')), "\n";
$lock = $factory->createLock($name, 10.0);
echo 'blocking: ', $lock->acquire(true) ? 'acquired' : 'refused', "\n";
$got = microtime(true);
pcntl_waitpid($pid, $status);
echo 'after the holder released: ', yes(is_file($released) && is_numeric($at = file_get_contents($released)) && (float)$at <= $got,
	"$name: acquired at $got, released at " . (is_file($released) ? file_get_contents($released) : 'never')), "\n";
echo 'handed over by the release (no polling): ', yes(PayLock\stats()['handoffs'] >= 1, 'stats()[handoffs] = ' . PayLock\stats()['handoffs']), "\n";
$lock->release();
?>
--EXPECT--
workers: ok
counter equals workers x rounds: yes
non-blocking while held elsewhere: refused without waiting for the holder: yes
blocking: acquired
after the holder released: yes
handed over by the release (no polling): yes
