--TEST--
FileStore: a lock dir the PHP user cannot write to is a clear StoreException (checked as an unprivileged user)
--EXTENSIONS--
paylock
posix
--SKIPIF--
<?php
require __DIR__ . '/../_support/skipif.inc';
if (getenv('USE_ZEND_ALLOC') === '0') die('skip setpriv cannot run under valgrind (setuid)');
if (posix_geteuid() === 0 && !is_executable('/usr/bin/setpriv')) die('skip needs setpriv to drop root');
?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
$base = lock_dir();
mkdir($base, 0755);
mkdir("$base/ro", 0555);
$code = 'try { new PayLock\FileStore(' . var_export("$base/ro", true) . '); echo "accepted"; } catch (PayLock\StoreException $e) { echo $e->getMessage(); }';
$php = [PHP_BINARY, '-n', '-d', 'extension=' . getenv('PAYLOCK_EXT_PATH'), '-r', $code];
if (posix_geteuid() === 0) {
	// root ignores permissions; FPM pools run as www-data
	$php = array_merge(['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'], $php);
}
$p = proc_open($php, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
echo preg_replace('/uid \d+/', 'uid N', str_replace($base, 'BASE', stream_get_contents($pipes[1]))), "\n";
proc_close($p);
?>
--ENV--
PAYLOCK_EXT_PATH={PWD}/../../modules/paylock.so
--EXPECT--
Lock dir BASE/ro is not writable by uid N: Permission denied
