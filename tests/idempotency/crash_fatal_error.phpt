--TEST--
IdempotencyGuard: a request that dies or ends mid-step (memory_limit, max_execution_time, exit, fatal error or script end with the claim in a global) marks the key "outcome unknown" at RSHUTDOWN: re-run by default, OutcomeUnknownException with after_crash => 'throw'
--EXTENSIONS--
paylock
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
use PayLock\IdempotencyGuard;

$php = getenv('TEST_PHP_EXECUTABLE') ?: PHP_BINARY;
$dir = lock_dir();
$stores = ['redis' => [redis_store(), 'new PayLock\RedisStore(' . var_export(redis_dsn(), true) . ')'],
	'file' => [new PayLock\FileStore($dir), 'new PayLock\FileStore(' . var_export($dir, true) . ')']];
$cases = [
	'memory_limit' => '$g->run($key, function () { ini_set("memory_limit", "16M"); $a = []; while (true) { $a[] = str_repeat("x", 1 << 20); } });',
	'max_execution_time' => '$g->run($key, function () { set_time_limit(1); while (true) {} });',
	'exit() inside run()' => '$g->run($key, function () { exit(3); });',
	'claim in a global, E_USER_ERROR' => '$GLOBALS["c"] = $g->begin($key); trigger_error("fatal", E_USER_ERROR);',
	'exit() with a begin() claim in a local' => 'function step($g, $key) { $c = $g->begin($key); exit(3); } step($g, $key);',
	'script ends with a claim in a global' => '$c = $g->begin($key); echo "done\\n";',
	'uncaught exception from $fn (not a crash)' => '$g->run($key, function () { throw new RuntimeException("declined"); });',
];
foreach ($stores as $kind => [$store, $make]) {
	echo "== $kind\n";
	foreach ($cases as $what => $code) {
		$keys = [uniq('pay'), uniq('pay')];
		foreach ($keys as $key) {
			$script = '$g = new PayLock\IdempotencyGuard(' . $make . '); $key = ' . var_export($key, true) . '; ' . $code;
			$env = getenv();
			$env['USE_ZEND_ALLOC'] = '1'; // memory_limit needs PHP's allocator (valgrind/ASAN runs disable it)
			$p = proc_open([$php, '-n', '-d', 'extension=' . getenv('PAYLOCK_EXT_PATH'), '-r', $script],
				[1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes, null, $env);
			stream_get_contents($pipes[1]);
			stream_get_contents($pipes[2]);
			proc_close($p);
		}
		$rerun = new IdempotencyGuard($store);
		$strict = new IdempotencyGuard($store, ['after_crash' => 'throw']);
		$c = $rerun->begin($keys[0]);
		$r1 = sprintf('runs again (attempt %s)', attempt_note($c->attempt()));
		$c->complete('ok');
		try {
			$strict->begin($keys[1])->complete('ok');
			$r2 = 'runs again';
		} catch (PayLock\Exception $e) {
			$r2 = get_class($e);
		}
		echo "$what: rerun -> $r1; throw -> $r2\n";
	}
}
?>
--ENV--
PAYLOCK_EXT_PATH={PWD}/../../modules/paylock.so
--EXPECT--
== redis
memory_limit: rerun -> runs again (attempt new); throw -> PayLock\OutcomeUnknownException
max_execution_time: rerun -> runs again (attempt new); throw -> PayLock\OutcomeUnknownException
exit() inside run(): rerun -> runs again (attempt new); throw -> PayLock\OutcomeUnknownException
claim in a global, E_USER_ERROR: rerun -> runs again (attempt new); throw -> PayLock\OutcomeUnknownException
exit() with a begin() claim in a local: rerun -> runs again (attempt new); throw -> PayLock\OutcomeUnknownException
script ends with a claim in a global: rerun -> runs again (attempt new); throw -> PayLock\OutcomeUnknownException
uncaught exception from $fn (not a crash): rerun -> runs again (attempt new); throw -> runs again
== file
memory_limit: rerun -> runs again (attempt new); throw -> PayLock\OutcomeUnknownException
max_execution_time: rerun -> runs again (attempt new); throw -> PayLock\OutcomeUnknownException
exit() inside run(): rerun -> runs again (attempt new); throw -> PayLock\OutcomeUnknownException
claim in a global, E_USER_ERROR: rerun -> runs again (attempt new); throw -> PayLock\OutcomeUnknownException
exit() with a begin() claim in a local: rerun -> runs again (attempt new); throw -> PayLock\OutcomeUnknownException
script ends with a claim in a global: rerun -> runs again (attempt new); throw -> PayLock\OutcomeUnknownException
uncaught exception from $fn (not a crash): rerun -> runs again (attempt new); throw -> runs again
