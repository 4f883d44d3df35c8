--TEST--
FileStore default dir: root's cron touches it first, then www-data (FPM): guarded requests still work, each uid has its own dir, and the split is announced (warning, phpinfo)
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
$tmp = lock_dir();
mkdir($tmp);
chmod($tmp, 01777); // a private /tmp
$ini = ['sys_temp_dir' => $tmp];
$code = <<<'PHP'
$s = new PayLock\FileStore();
$g = new PayLock\IdempotencyGuard($s);
echo $g->run('order-7', function () { echo 'executed, '; return 'stored'; }), ' | dir ', $s->directory(), "\n";
PHP;
$show = fn(string $s) => trim(preg_replace('/ in Command line code on line \d+/', '', str_replace($tmp, 'TMP', $s)));
// Root first (cron), then www-data (FPM), then root again.
echo "root:     ", $show(run_as(0, $code, [], $ini)), "\n";
echo "www-data: ", $show(run_as(MU_WWW, $code, [], $ini)), "\n";
echo "www-data: ", $show(run_as(MU_WWW, $code, [], $ini)), "\n";
echo "root:     ", $show(run_as(0, $code, [], $ini)), "\n";
printf("modes: %o %o\n", fileperms("$tmp/paylock-0") & 07777, fileperms("$tmp/paylock-33") & 07777);
$info = run_as(MU_WWW, 'phpinfo(INFO_MODULES);', [], $ini);
preg_match_all('/^(FileStore[^=]*|Effective uid) => (.*)$/m', $info, $m, PREG_SET_ORDER);
foreach ($m as [, $k, $v]) echo "$k: ", str_replace($tmp, 'TMP', $v), "\n";
// With paylock.lock_group both land in one shared dir and see one record.
$ini['paylock.lock_group'] = '4242';
echo "root:     ", $show(run_as(0, $code, [4242], $ini)), "\n";
echo "www-data: ", $show(run_as(MU_WWW, $code, [4242], $ini)), "\n";
?>
--ENV--
PAYLOCK_EXT_PATH={PWD}/../../modules/paylock.so
--EXPECT--
root:     executed, stored | dir TMP/paylock-0
www-data: executed, stored | dir TMP/paylock-33
Warning: PayLock\FileStore::__construct(): PayLock uses the lock dir TMP/paylock-33 (uid 33); TMP/paylock-0 belongs to uid 0. Processes of these users do not exclude each other on files (FileStore, FallbackStore with Redis down). To share one dir set paylock.lock_group (README: Files on a shared host)
www-data: stored | dir TMP/paylock-33
Warning: PayLock\FileStore::__construct(): PayLock uses the lock dir TMP/paylock-33 (uid 33); TMP/paylock-0 belongs to uid 0. Processes of these users do not exclude each other on files (FileStore, FallbackStore with Redis down). To share one dir set paylock.lock_group (README: Files on a shared host)
root:     stored | dir TMP/paylock-0
Warning: PayLock\FileStore::__construct(): PayLock uses the lock dir TMP/paylock-0 (uid 0); TMP/paylock-33 belongs to uid 33. Processes of these users do not exclude each other on files (FileStore, FallbackStore with Redis down). To share one dir set paylock.lock_group (README: Files on a shared host)
modes: 700 700
FileStore lock dir of this process: TMP/paylock-33
Effective uid: 33
FileStore sharing: this uid only: other users (root's cron, CLI) use their own dir and do not exclude these processes on files; set paylock.lock_group to share
root:     executed, stored | dir TMP/paylock-g4242
www-data: stored | dir TMP/paylock-g4242