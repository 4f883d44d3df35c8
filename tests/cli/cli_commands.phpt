--TEST--
bin/paylock against the harness Redis, a FileStore dir and both (FallbackStore): locks, holder, queue, release, keys, forget, resolve and stats, with --json output parsed back; exit codes 0 (done), 1 (nothing there), 2 (usage), 3 (PayLock error)
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
require __DIR__ . '/../_support/admin.inc';

/** Runs bin/paylock with $args in a PHP process of its own: [exit code, stdout, stderr]. */
function cli(string ...$args): array
{
	$ext = getenv('PAYLOCK_EXT_PATH') ?: dirname(__DIR__, 2) . '/modules/paylock.so';
	$cmd = array_merge([PHP_BINARY, '-n', '-d', "extension=$ext", dirname(__DIR__, 2) . '/bin/paylock'], $args);
	$p = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
	$out = stream_get_contents($pipes[1]);
	$err = stream_get_contents($pipes[2]);
	return [proc_close($p), $out, $err];
}

/** cli() with --json: [exit code, decoded output]. */
function cli_json(string ...$args): array
{
	[$rc, $out, $err] = cli('--json', ...$args);
	$data = json_decode($out, true);
	if ($out !== '' && $data === null && $out !== "null\n") {
		return [$rc, "unparsable: $out $err"];
	}
	return [$rc, $data];
}

$dsn = '--dsn=' . redis_dsn();
$p = uniq('cli');
$name = "$p:order";
$store = redis_store();
$held = new PayLock\Lock($store, $name, 300);
$held->acquire();
$fence = $held->fencingToken();
$kid = spawn(function () use ($name) {
	$l = new PayLock\Lock(redis_store(), $name, 30);
	$ok = $l->acquire(120);
	$l->release();
	return $ok;
});
$admin = new PayLock\Admin($store);
wait_until(fn() => count($admin->queue($name)) === 1);

[$rc, $d] = cli_json($dsn, 'locks', "$p:");
echo 'locks: ', same([$rc, array_column($d['locks'] ?? [], 'name'), $d['locks'][0]['holder']['pid'] ?? null, $d['locks'][0]['holder']['fence'] ?? null, $d['locks'][0]['queue'] ?? null], [0, [$name], getmypid(), $fence, 1]), "\n";
[$rc, $out] = cli($dsn, 'locks', "$p:");
echo 'locks (text): ', yes($rc === 0 && str_contains($out, $name) && str_contains($out, 'pid ' . getmypid()) && str_contains($out, 'queue 1'), $out), "\n";
[$rc, $d] = cli_json($dsn, 'holder', $name);
echo 'holder: ', same([$rc, $d['pid'] ?? null], [0, getmypid()]), "\n";
[$rc, $out] = cli($dsn, 'holder', "$p:free");
echo 'holder of a free name: ', same([$rc, $out], [1, "free\n"]), "\n";
[$rc, $d] = cli_json($dsn, 'queue', $name);
echo 'queue: ', same([$rc, count($d), $d[0]['position'] ?? null], [0, 1, 1]), "\n";
[$rc, $d] = cli_json($dsn, 'queue', "$p:free");
echo 'queue of a free name: ', same([$rc, $d], [1, []]), "\n";
[$rc, $d] = cli_json($dsn, 'release', $name);
echo 'release: ', same([$rc, $d['released']['pid'] ?? null], [0, getmypid()]), "\n";
echo 'the waiter got it: ', same(reap($kid), true), "\n";
echo 'the old holder knows: ', same($held->isAcquired(), false), "\n";
[$rc, $d] = cli_json($dsn, 'release', "$p:free");
echo 'release of a free name: ', same([$rc, $d], [1, ['released' => null]]), "\n";

// Records under a guard prefix of their own.
$prefix = 'cli' . getmypid() . ':';
$g = new PayLock\IdempotencyGuard($store, ['prefix' => $prefix, 'scope' => 'shop']);
$g->run('paid', fn() => 'ch_1');
$g->begin('timeout')->markUnknown();
$g->begin('gone')->markUnknown();
[$rc, $d] = cli_json($dsn, 'keys', "--prefix=$prefix", '--all', '--count=1');
$states = array_column($d['records'] ?? [], 'state', 'key');
ksort($states);
echo 'keys: ', same([$rc, $states, array_key_exists('cursor', $d) ? $d['cursor'] : 'x'], [0, ['gone' => 'unknown', 'paid' => 'done', 'timeout' => 'unknown'], null]), "\n";
[$rc, $d] = cli_json($dsn, 'keys', "--prefix=$prefix", '--state=unknown', '--all');
echo 'keys --state: ', same(count($d['records'] ?? []), 2), "\n";
[$rc, $d] = cli_json($dsn, 'forget', 'gone', '--scope=shop', "--prefix=$prefix");
echo 'forget: ', same([$rc, $g->run('gone', fn() => 'ran again')], [0, 'ran again']), "\n";
[$rc, $d] = cli_json($dsn, 'resolve', 'timeout', '--scope=shop', "--prefix=$prefix", '--result={"charge":"ch_2"}');
echo 'resolve: ', same([$rc, $g->run('timeout', fn() => 'charged twice')], [0, ['charge' => 'ch_2']]), "\n";
[$rc, $d] = cli_json($dsn, 'stats', "--prefix=$prefix");
echo 'stats: ', same([$rc, $d['records'] ?? null, $d['complete'] ?? null], [0, ['done' => 3], true]), "\n";

// A FileStore dir, and both as a FallbackStore.
$dir = lock_dir();
$f = new PayLock\Lock(new PayLock\FileStore($dir), $name);
$f->acquire();
[$rc, $d] = cli_json("--dir=$dir", 'locks');
echo 'file locks: ', same([$rc, array_column($d['locks'] ?? [], 'name'), $d['locks'][0]['holder']['pid'] ?? null], [0, [$name], getmypid()]), "\n";
[$rc, $out, $err] = cli("--dir=$dir", 'release', $name);
echo 'file release refused: ', same([$rc, str_contains($err, 'a flock belongs to the process')], [3, true]), "\n";
[$rc, $d] = cli_json("--dir=$dir", 'stats');
echo 'file stats: ', same([$rc, $d['locks'] ?? null], [0, 1]), "\n";
$f->release();
$fb = new PayLock\Lock(new PayLock\FallbackStore(redis_store(), new PayLock\FileStore($dir)), $name, 30);
$fb->acquire();
[$rc, $d] = cli_json($dsn, "--dir=$dir", 'locks', "$p:", '--all');
echo 'fallback locks: ', same([$rc, array_column($d['locks'] ?? [], 'name')], [0, [$name]]), "\n";
$fb->release();

// Usage and PayLock errors.
foreach ([[], ['frob'], [$dsn, 'holder'], [$dsn, 'locks', '--count=many'], [$dsn, '--bogus', 'locks'],
		[$dsn, 'resolve', 'k'], [$dsn, 'resolve', 'k', '--result={bad'], [$dsn, 'keys', '--state=lost'],
		['--dsn=redis://127.0.0.1:1', 'locks']] as $args) {
	[$rc, $out, $err] = cli(...$args);
	echo implode(' ', array_map(fn($a) => str_starts_with($a, '--dsn=redis://127.0.0.1:1') ? '--dsn=<down>' : (str_starts_with($a, '--dsn') ? '--dsn' : $a), $args)), ' => ', $rc, ': ', strtok($err, "\n"), "\n";
}
[$rc, $out] = cli('--help');
echo 'help: ', yes($rc === 0 && str_contains($out, 'Usage: paylock'), $out), "\n";
?>
--EXPECTF--
locks: true
locks (text): yes
holder: true
holder of a free name: true
queue: true
queue of a free name: true
release: true
the waiter got it: true
the old holder knows: true
release of a free name: true
keys: true
keys --state: true
forget: true
resolve: true
stats: true
file locks: true
file release refused: true
file stats: true
fallback locks: true
 => 2: paylock: missing command
frob => 2: paylock: unknown command "frob"
--dsn holder => 2: paylock: missing NAME
--dsn locks --count=many => 2: paylock: --count must be a whole number, got "many"
--dsn --bogus locks => 2: paylock: unknown option --bogus
--dsn resolve k => 2: paylock: resolve needs --result=JSON (the result the reconciliation found)
--dsn resolve k --result={bad => 2: paylock: --result must be JSON: Syntax error
--dsn keys --state=lost => 2: paylock: PayLock\Admin::records(): Argument #1 ($state) must be null or one of running, crashed, unknown, unstored, done, abandoned, damaged
--dsn=<down> locks => 3: paylock: %s127.0.0.1:1%s
help: yes
