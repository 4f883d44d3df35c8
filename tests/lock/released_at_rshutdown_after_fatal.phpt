--TEST--
Lock: a request that dies of a fatal error (memory_limit, max_execution_time) or exit() leaves the lock free at once
--EXTENSIONS--
paylock
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
$store = redis_store();
$php = getenv('TEST_PHP_EXECUTABLE') ?: PHP_BINARY;
$ext = ini_get('extension_dir');
$dsn = redis_dsn();
$cases = [
	'memory_limit' => 'ini_set("memory_limit", "16M"); $a = []; while (true) { $a[] = str_repeat("x", 1 << 20); }',
	'max_execution_time' => 'set_time_limit(1); while (true) {}',
	'exit' => 'exit(3);',
	'uncaught exception' => 'throw new RuntimeException("gateway 500");',
	'lock kept in a global' => '$GLOBALS["keep"] = $l; trigger_error("fatal", E_USER_ERROR);',
];
foreach ($cases as $what => $code) {
	$name = uniq();
	$script = '$l = new PayLock\Lock(new PayLock\RedisStore(' . var_export($dsn, true) . '), '
		. var_export($name, true) . ', 60); $l->acquire() or die("not acquired"); echo "held\n"; ' . $code;
	$cmd = [$php, '-n', '-d', 'extension=' . getenv('PAYLOCK_EXT_PATH'), '-r', $script];
	// The child runs with PHP's own allocator: USE_ZEND_ALLOC=0 (valgrind/ASAN runs) disables memory_limit.
	$env = getenv();
	$env['USE_ZEND_ALLOC'] = '1';
	$p = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
	$out = stream_get_contents($pipes[1]);
	$err = stream_get_contents($pipes[2]);
	proc_close($p);
	$h = PayLock\holder($store, $name);
	printf("%s: child said %s, lock %s\n", $what, trim(strtok($out, "\n")), $h === null ? 'free' : 'STILL HELD');
}
?>
--ENV--
PAYLOCK_EXT_PATH={PWD}/../../modules/paylock.so
--EXPECT--
memory_limit: child said held, lock free
max_execution_time: child said held, lock free
exit: child said held, lock free
uncaught exception: child said held, lock free
lock kept in a global: child said held, lock free
