--TEST--
FileStore: a holder that forks a sleeping child (no exec) and is then SIGKILLed leaves its lock and its idempotency claim free at once; a child never unlocks its living parent's lock
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
$s = new PayLock\FileStore($dir);
$ready = "$dir/ready";

// The holder: takes the lock and a claim, forks a child that sleeps 60 s, reports, waits to be killed.
$holder = pcntl_fork();
if ($holder === 0) {
	$s = new PayLock\FileStore($dir);
	$l = new PayLock\Lock($s, 'order:1');
	$l->acquire() or exit(1);
	$c = (new PayLock\IdempotencyGuard($s))->begin('evt-1');
	$child = pcntl_fork();
	if ($child === 0) {
		sleep(60);
		exit(0);
	}
	file_put_contents("$ready.tmp", (string)$child);
	rename("$ready.tmp", $ready);
	sleep(60);
	exit(0);
}
for ($w = 0; $w < 20000 && !($child = (int)@file_get_contents($ready)); $w++) usleep(1000);
$l = new PayLock\Lock($s, 'order:1');
var_dump($l->acquire());                  // busy while the holder lives
posix_kill($holder, SIGKILL);
pcntl_waitpid($holder, $st);
var_dump(posix_kill($child, 0));          // the child lives on
$t = microtime(true);
var_dump($l->acquire());                  // free at once (single try, no wait)
$g = new PayLock\IdempotencyGuard($s, ['after_crash' => 'throw']);
try {
	$g->run('evt-1', fn() => 'again');
} catch (PayLock\OutcomeUnknownException $e) {
	echo "claim: crashed, not in progress\n";
}
var_dump(microtime(true) - $t < 2.0);
$l->release();
posix_kill($child, SIGKILL);
pcntl_waitpid($child, $st);

// A child that exits normally while its parent holds the lock does not end the parent's hold.
var_dump($l->acquire());
$pid = pcntl_fork();
if ($pid === 0) {
	exit(0);
}
pcntl_waitpid($pid, $st);
$probe = pcntl_fork();
if ($probe === 0) {
	$other = new PayLock\Lock(new PayLock\FileStore($dir), 'order:1');
	exit($other->acquire() ? 1 : 0);
}
pcntl_waitpid($probe, $st);
echo "other process got it: ", pcntl_wexitstatus($st) ? "yes (FileStore $dir, order:1: the parent's hold ended with its child)" : 'no', "\n";
var_dump($l->isAcquired(), $l->release());
?>
--EXPECT--
bool(false)
bool(true)
bool(true)
claim: crashed, not in progress
bool(true)
bool(true)
other process got it: no
bool(true)
bool(true)
