--TEST--
FileStore: creates the dir 0700; refuses a symlinked dir, a file, a relative path, and a missing parent
--EXTENSIONS--
paylock
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
$base = lock_dir();
mkdir($base, 0755);
$s = new PayLock\FileStore("$base/locks/");
printf("created: %s, mode %o\n", yes($s->directory() === "$base/locks", 'directory() = ' . $s->directory()), fileperms("$base/locks") & 0777);
$l = new PayLock\Lock($s, 'x');
$l->acquire();
printf("lock file mode %o\n", fileperms($s->directory() . '/' . hash('sha256', 'x')) & 0777);
$l->release();

symlink("$base/locks", "$base/link");
file_put_contents("$base/file", '');
$cases = ["$base/link", "$base/file", "relative/dir", "$base/no/such/parent", ''];
foreach ($cases as $dir) {
	try {
		new PayLock\FileStore($dir);
		echo "accepted\n";
	} catch (Throwable $e) {
		echo get_class($e), ': ', str_replace($base, 'BASE', $e->getMessage()), "\n";
	}
}
try {
	new PayLock\FileStore("$base/nul\0byte");
} catch (Throwable $e) {
	echo get_class($e), ': ', $e->getMessage(), "\n";
}

?>
--EXPECT--
created: yes, mode 700
lock file mode 600
PayLock\StoreException: Lock dir BASE/link is a symlink; PayLock refuses it
PayLock\StoreException: Lock dir BASE/file is not a directory
ValueError: PayLock\FileStore::__construct(): Argument #1 ($dir) must be an absolute directory path without NUL bytes
PayLock\StoreException: Cannot create lock dir BASE/no/such/parent: No such file or directory
ValueError: PayLock\FileStore::__construct(): Argument #1 ($dir) must be an absolute directory path without NUL bytes
ValueError: PayLock\FileStore::__construct(): Argument #1 ($dir) must not contain any null bytes
