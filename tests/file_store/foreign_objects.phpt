--TEST--
FileStore: dirs and files another uid controls (0777/1777 dirs, planted lock file, forged record, symlink, FIFO, hard link, counter) are refused with what is wrong and the fix; nothing hangs, nothing foreign is read or written
--EXTENSIONS--
paylock
posix
--SKIPIF--
<?php
require __DIR__ . '/../_support/skipif.inc';
require __DIR__ . '/multiuser.inc';
mu_skipif();
?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
require __DIR__ . '/multiuser.inc';
$base = lock_dir();
mkdir($base, 0755);
$show = fn(string $s) => preg_replace('/[0-9a-f]{64}/', 'H', str_replace($base, 'BASE', $s));

// Dirs created by another uid (nobody) before PHP (www-data) first runs, and www-data's own dir opened up.
foreach (['d0777' => [MU_OTHER, 0777], 'd1777' => [MU_OTHER, 01777], 'own0777' => [MU_WWW, 0777],
		  'own0770' => [MU_WWW, 0770]] as $d => [$uid, $mode]) {
	mkdir("$base/$d");
	chown("$base/$d", $uid);
	chmod("$base/$d", $mode);
	$code = 'try { new PayLock\FileStore(' . var_export("$base/$d", true) . '); echo "accepted"; }
		catch (PayLock\StoreException $e) { echo $e->getMessage(); }';
	echo $show(run_as(MU_WWW, $code)), "\n";
}

// www-data's own 0700 dir, with objects planted by someone who could write there before (root here).
$dir = "$base/v";
mkdir($dir, 0700);
chown($dir, MU_WWW);
$h = fn(string $name) => "$dir/" . hash('sha256', $name);
file_put_contents($h('planted'), "1:2:3:evil\n");
chown($h('planted'), MU_OTHER);
file_put_contents("$base/target", "precious\n");
chown("$base/target", MU_WWW);
symlink("$base/target", $h('linked'));
posix_mkfifo($h('fifo'), 0600);
chown($h('fifo'), MU_WWW);
$forged = "PLI1 d 1 9999999999999 1 - - 6\n" . "forged";
file_put_contents($h('idem:{paid}') . '.idem', $forged);
chown($h('idem:{paid}') . '.idem', MU_OTHER);
posix_mkfifo($h('idem:{fifo}') . '.idem', 0600);
chown($h('idem:{fifo}') . '.idem', MU_WWW);
file_put_contents("$base/other", "x");
chown("$base/other", MU_WWW);
link("$base/other", $h('idem:{linked}') . '.idem');
posix_mkfifo($h('idem:{runfifo}') . '.run', 0600);
chown($h('idem:{runfifo}') . '.run', MU_WWW);

$code = <<<'PHP'
$s = new PayLock\FileStore(DIR);
$g = new PayLock\IdempotencyGuard($s, ['prefix' => 'idem:']);
$try = function (string $what, callable $f) {
	try { $r = $f(); echo "$what: returned ", var_export($r, true), "\n"; }
	catch (PayLock\StoreException $e) { echo "$what: ", $e->getMessage(), "\n"; }
};
foreach (['planted', 'linked', 'fifo'] as $n) {
	$try("acquire $n", fn() => (new PayLock\Lock($s, $n))->acquire(5));
	$try("holder $n", fn() => PayLock\holder($s, $n));
}
foreach (['paid', 'fifo', 'linked', 'runfifo'] as $k) {
	$try("run $k", fn() => $g->run($k, function () use ($k) { return "ran $k"; }));
}
PHP;
echo $show(run_as(MU_WWW, str_replace('DIR', var_export($dir, true), $code), [], [], 30)), "\n";
// Nothing foreign was written to or truncated.
var_dump(file_get_contents("$base/target"), file_get_contents($h('planted')),
	file_get_contents($h('idem:{paid}') . '.idem') === $forged, file_get_contents("$base/other"));

// The fencing counter as a FIFO, then owned by another uid.
$code = 'try { $l = new PayLock\Lock(new PayLock\FileStore(' . var_export($dir, true) . '), "f"); $l->acquire();
	echo $l->fencingToken(); } catch (PayLock\StoreException $e) { echo $e->getMessage(); }';
posix_mkfifo("$dir/fencing-counter", 0600);
chown("$dir/fencing-counter", MU_WWW);
echo $show(run_as(MU_WWW, $code)), "\n";
unlink("$dir/fencing-counter");
file_put_contents("$dir/fencing-counter", '00000000000000000001');
chown("$dir/fencing-counter", MU_OTHER);
echo $show(run_as(MU_WWW, $code)), "\n";
?>
--ENV--
PAYLOCK_EXT_PATH={PWD}/../../modules/paylock.so
--EXPECT--
Lock dir BASE/d0777 is owned by uid 65534, not by uid 33 (this process) or root: its owner could delete or plant locks and records. Fix: remove it, chown 33 it, or set paylock.lock_dir to a directory only this user can write
Lock dir BASE/d1777 is owned by uid 65534, not by uid 33 (this process) or root: its owner could delete or plant locks and records. Fix: remove it, chown 33 it, or set paylock.lock_dir to a directory only this user can write
Lock dir BASE/own0777 has mode 0777: other users can delete or plant locks and records in it. Fix: chmod 0700 BASE/own0777, or share it on purpose with paylock.lock_group
Lock dir BASE/own0770 has mode 0770: other users can delete or plant locks and records in it. Fix: chmod 0700 BASE/own0770, or share it on purpose with paylock.lock_group
acquire planted: The lock file BASE/v/H belongs to uid 65534 group 0 (mode 0644), not to uid 33; PayLock never uses it. Fix: remove it, or set paylock.lock_dir to a directory only this user can write
holder planted: The lock file BASE/v/H belongs to uid 65534 group 0 (mode 0644), not to uid 33; PayLock never uses it. Fix: remove it, or set paylock.lock_dir to a directory only this user can write
acquire linked: The lock file BASE/v/H is a symlink, not a regular file; PayLock never opens it. Fix: remove it (another user may have planted it), or set paylock.lock_dir to a directory only this user can write
holder linked: The lock file BASE/v/H is a symlink, not a regular file; PayLock never opens it. Fix: remove it (another user may have planted it), or set paylock.lock_dir to a directory only this user can write
acquire fifo: The lock file BASE/v/H is a FIFO, not a regular file; PayLock never opens it. Fix: remove it (another user may have planted it), or set paylock.lock_dir to a directory only this user can write
holder fifo: The lock file BASE/v/H is a FIFO, not a regular file; PayLock never opens it. Fix: remove it (another user may have planted it), or set paylock.lock_dir to a directory only this user can write
run paid: The idempotency record BASE/v/H.idem belongs to uid 65534 group 0 (mode 0644), not to uid 33; PayLock never uses it. Fix: remove it, or set paylock.lock_dir to a directory only this user can write
run fifo: The idempotency record BASE/v/H.idem is a FIFO, not a regular file; PayLock never opens it. Fix: remove it (another user may have planted it), or set paylock.lock_dir to a directory only this user can write
run linked: The idempotency record BASE/v/H.idem has 2 hard links; PayLock only uses files with one. Fix: remove it, or set paylock.lock_dir to a directory only this user can write
run runfifo: The idempotency run file BASE/v/H.run is a FIFO, not a regular file; PayLock never opens it. Fix: remove it (another user may have planted it), or set paylock.lock_dir to a directory only this user can write

string(9) "precious
"
string(11) "1:2:3:evil
"
bool(true)
string(1) "x"
The fencing counter BASE/v/fencing-counter is a FIFO, not a regular file; PayLock never opens it. Fix: remove it (another user may have planted it), or set paylock.lock_dir to a directory only this user can write
The fencing counter BASE/v/fencing-counter belongs to uid 65534 group 0 (mode 0644), not to uid 33; PayLock never uses it. Fix: remove it, or set paylock.lock_dir to a directory only this user can write