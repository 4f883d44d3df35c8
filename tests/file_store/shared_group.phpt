--TEST--
FileStore shared group: www-data and a second uid in the group exclude each other on one name (forked RMW, no lost update; exactly-once runs), a uid outside the group is refused
--EXTENSIONS--
paylock
pcntl
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
const GID = 4242; // a group only setpriv knows about: membership comes from --groups
$base = lock_dir();
mkdir($base);
chmod($base, 01777); // like /tmp: the first worker creates the shared dir
$dir = "$base/shared";
file_put_contents("$base/counter", '0');
chmod("$base/counter", 0666);
file_put_contents("$base/runs", '');
chmod("$base/runs", 0666);

// Each worker: 150 locked read-modify-writes of one counter file, then 40 guarded steps shared by all.
$code = <<<'PHP'
umask(022); // group bits must come from PayLock, not from the umask
$s = new PayLock\FileStore(DIR, (string)GID);
$g = new PayLock\IdempotencyGuard($s);
for ($i = 0; $i < 150; $i++) {
	$l = new PayLock\Lock($s, 'order:1');
	$l->acquire(30) or die("not acquired\n");
	$v = (int)file_get_contents(BASE . '/counter');
	usleep(50);
	file_put_contents(BASE . '/counter', (string)($v + 1));
	$l->release();
}
for ($i = 0; $i < 40; $i++) {
	$g->run("evt-$i", fn() => file_put_contents(BASE . '/runs', "evt-$i\n", FILE_APPEND), wait: 30);
}
echo "ok\n";
PHP;
$code = strtr($code, ['DIR' => var_export($dir, true), 'BASE' => var_export($base, true), 'GID' => GID]);
$pids = [];
foreach ([MU_WWW, MU_OTHER, MU_WWW, MU_OTHER] as $i => $uid) {
	$pid = pcntl_fork();
	if ($pid === 0) {
		file_put_contents("$base/out-$i", run_as($uid, $code, [GID], [], 120));
		exit(0);
	}
	$pids[] = $pid;
}
foreach ($pids as $pid) pcntl_waitpid($pid, $st);
for ($i = 0; $i < 4; $i++) echo "worker $i: ", trim(file_get_contents("$base/out-$i")), "\n";
echo "counter: ", file_get_contents("$base/counter"), " (expected 600)\n";
$runs = file("$base/runs", FILE_IGNORE_NEW_LINES);
echo "runs: ", count($runs), " distinct: ", count(array_unique($runs)), "\n";
clearstatcache();
printf("dir mode %o group %d\n", fileperms($dir) & 07777, filegroup($dir));
$modes = [];
foreach (glob("$dir/*") as $f) $modes[sprintf('%o/%d', fileperms($f) & 0777, filegroup($f))] = true;
echo "file modes: ", implode(',', array_keys($modes)), "\n";

// Outside the group: refused, with the reason.
$out = run_as(MU_OUTSIDER, 'try { new PayLock\FileStore(' . var_export($dir, true) . ', "' . GID . '"); echo "accepted"; }
	catch (PayLock\StoreException $e) { echo $e->getMessage(); }');
echo str_replace($base, 'BASE', $out), "\n";
// Without the group setting the shared dir is refused too (group-writable).
$out = run_as(MU_WWW, 'try { new PayLock\FileStore(' . var_export($dir, true) . '); echo "accepted"; }
	catch (PayLock\StoreException $e) { echo $e->getMessage(); }', [GID]);
echo preg_match('~^Lock dir BASE/shared (is owned by uid|has mode 2770)~', str_replace($base, 'BASE', $out)) ? 'refused' : $out, "\n";
?>
--ENV--
PAYLOCK_EXT_PATH={PWD}/../../modules/paylock.so
--EXPECT--
worker 0: ok
worker 1: ok
worker 2: ok
worker 3: ok
counter: 600 (expected 600)
runs: 40 distinct: 40
dir mode 2770 group 4242
file modes: 660/4242
Lock dir BASE/shared is not writable by uid 4321: Permission denied
refused
