--TEST--
MultiLock: a request that dies (memory_limit, exit, fatal error with the lock in a global, destructor) leaves every name free, on Redis and on files
--EXTENSIONS--
paylock
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
over_multilock_names(); // over a cluster without cross-slot MultiLock: one hash tag per test
$php = getenv('TEST_PHP_EXECUTABLE') ?: PHP_BINARY;
$dir = lock_dir();
$stores = [
	'redis' => ['new PayLock\RedisStore(' . var_export(redis_dsn(), true) . ')', redis_store()],
	'file' => ['new PayLock\FileStore(' . var_export($dir, true) . ')', new PayLock\FileStore($dir)],
];
$cases = [
	'memory_limit' => 'ini_set("memory_limit", "16M"); $a = []; while (true) { $a[] = str_repeat("x", 1 << 20); }',
	'exit' => 'exit(3);',
	'kept in a global' => '$GLOBALS["keep"] = $m; trigger_error("fatal", E_USER_ERROR);',
	'out of scope' => 'unset($m); echo "after unset\n"; sleep(60);',
];
foreach ($stores as $kind => [$make, $store]) {
	foreach ($cases as $what => $code) {
		$p = uniq('cart');
		$names = ["$p:1", "$p:2", "$p:3"];
		$script = '$m = new PayLock\MultiLock(' . $make . ', ' . var_export($names, true) . ', 60); '
			. '$m->acquire() or die("not acquired"); echo "held\n"; ' . $code;
		$cmd = [$php, '-n', '-d', 'extension=' . getenv('PAYLOCK_EXT_PATH'), '-r', $script];
		$env = getenv();
		$env['USE_ZEND_ALLOC'] = '1'; // memory_limit needs PHP's allocator
		$proc = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
		$out = fgets($pipes[1]);
		if ($what === 'out of scope') {
			fgets($pipes[1]); // "after unset": the child is still alive, sleeping
		} else {
			stream_get_contents($pipes[1]); // until the child has died
			stream_get_contents($pipes[2]);
		}
		$free = implode(' ', array_map(fn($n) => PayLock\holder($store, $n) === null ? 'free' : 'HELD', $names));
		proc_terminate($proc, 9);
		proc_close($proc);
		printf("%s, %s: child said %s, names %s\n", $kind, $what, trim($out), $free);
	}
}
?>
--ENV--
PAYLOCK_EXT_PATH={PWD}/../../modules/paylock.so
--EXPECT--
redis, memory_limit: child said held, names free free free
redis, exit: child said held, names free free free
redis, kept in a global: child said held, names free free free
redis, out of scope: child said held, names free free free
file, memory_limit: child said held, names free free free
file, exit: child said held, names free free free
file, kept in a global: child said held, names free free free
file, out of scope: child said held, names free free free
