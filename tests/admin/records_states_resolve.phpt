--TEST--
Admin records on RedisStore, FileStore and FallbackStore: records in every state (running with its lease, crashed by SIGKILL, marked unknown, unstored, done, abandoned) are listed with scope, key, state and age, filtered by state, and resolved: forget() lets the step run again, markDone() makes later runs replay the reconciled result
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

foreach (['redis', 'file', 'fallback'] as $kind) {
	$dir = lock_dir();
	$store = idem_store($kind, $dir);
	$admin = new PayLock\Admin($store);
	$prefix = 'adm' . getmypid() . bin2hex(random_bytes(3)) . ':';
	$scope = 'shop-a';
	$opts = ['prefix' => $prefix, 'scope' => $scope, 'in_progress_ttl' => 60, 'max_result_bytes' => 16];
	$g = new PayLock\IdempotencyGuard($store, $opts);
	// The record's id as the store names it: the Redis key, or the file of the SHA-256 of the name.
	$id = fn(string $key) => $kind === 'file'
		? hash('sha256', "$prefix$scope:{{$key}}") . '.idem'
		: "paylock:$prefix$scope:{{$key}}";

	$g->run('done', fn() => 42);
	try {
		$g->run('unstored', fn() => str_repeat('x', 100));
	} catch (ValueError) {
	}
	$g->begin('unknown')->markUnknown();
	$g->begin('abandoned')->abandon();
	$running = $g->begin('running');
	reap(spawn(function () use ($kind, $dir, $opts) {
		$c = (new PayLock\IdempotencyGuard(idem_store($kind, $dir), ['in_progress_ttl' => 1] + $opts))->begin('crashed');
		posix_kill(getmypid(), SIGKILL); // mid-step, with the claim held
		return $c;
	}));
	if ($kind !== 'file') {
		usleep(1200000); // Redis: the dead owner's 1 s lease runs out (a file's run lock went with its process)
	}
	$want = ['done' => 'done', 'unstored' => 'unstored', 'unknown' => 'unknown', 'abandoned' => 'abandoned',
		'running' => 'running', 'crashed' => 'crashed'];

	$seen = [];
	$cursor = null;
	do {
		$page = $admin->records(null, $prefix, $cursor, 2);
		foreach ($page['records'] as $r) {
			$seen[$r['id']] = $r;
		}
		$cursor = $page['cursor'];
	} while ($cursor !== null);
	$states = [];
	foreach ($want as $key => $state) {
		$states[$key] = $seen[$id($key)]['state'] ?? 'missing';
	}
	echo "$kind: states ", same($states, $want), "\n";
	echo "$kind: nothing else listed: ", same(count($seen), 6), "\n";
	$r = $seen[$id('done')];
	echo "$kind: scope and key: ", same([$r['scope'], $r['key']], $kind === 'file' ? [null, null] : [$scope, 'done']), "\n";
	echo "$kind: done has its result: ", same($r['has_result'], true), "\n";
	echo "$kind: unstored has none: ", same($seen[$id('unstored')]['has_result'], false), "\n";
	echo "$kind: ages: ", yes(min(array_map(fn($x) => $x['age'] ?? -1, $seen)) >= 0, json_encode(array_column($seen, 'age'))), "\n";
	$lease = $seen[$id('running')]['lease_left'];
	echo "$kind: running lease: ", yes($kind === 'file' ? $lease === null : $lease > 0 && $lease <= 60, var_export($lease, true)), "\n";
	$crashed = $admin->records('crashed', $prefix)['records'];
	echo "$kind: filter crashed: ", same(array_column($crashed, 'id'), [$id('crashed')]), "\n";

	$admin->forget('crashed', $scope, $prefix);
	echo "$kind: forgotten runs again: ", same($g->run('crashed', fn() => 'again'), 'again'), "\n";
	$admin->markDone('unknown', ['charge' => 'ch_1', 'ok' => true], $scope, null, 3600, $prefix);
	echo "$kind: marked done replays: ", same($g->run('unknown', fn() => 'ran twice'), ['charge' => 'ch_1', 'ok' => true]), "\n";
	$admin->markDone('never-seen', 7, $scope, null, 3600, $prefix);
	echo "$kind: marked done without a record: ", same($g->run('never-seen', fn() => 'ran'), 7), "\n";
	echo "$kind: done count now: ", same(count($admin->records('done', $prefix)['records']), 4), "\n";
	$running->complete('late');
}
try {
	$admin->records('lost');
} catch (ValueError $e) {
	echo $e->getMessage(), "\n";
}
try {
	$admin->forget('k', 'a{b');
} catch (ValueError $e) {
	echo $e->getMessage(), "\n";
}
try {
	$admin->markDone('k', new stdClass);
} catch (TypeError $e) {
	echo get_class($e), "\n";
}
?>
--EXPECTF--
redis: states true
redis: nothing else listed: true
redis: scope and key: true
redis: done has its result: true
redis: unstored has none: true
redis: ages: yes
redis: running lease: yes
redis: filter crashed: true
redis: forgotten runs again: true
redis: marked done replays: true
redis: marked done without a record: true
redis: done count now: true
file: states true
file: nothing else listed: true
file: scope and key: true
file: done has its result: true
file: unstored has none: true
file: ages: yes
file: running lease: yes
file: filter crashed: true
file: forgotten runs again: true
file: marked done replays: true
file: marked done without a record: true
file: done count now: true
fallback: states true
fallback: nothing else listed: true
fallback: scope and key: true
fallback: done has its result: true
fallback: unstored has none: true
fallback: ages: yes
fallback: running lease: yes
fallback: filter crashed: true
fallback: forgotten runs again: true
fallback: marked done replays: true
fallback: marked done without a record: true
fallback: done count now: true
PayLock\Admin::records(): Argument #1 ($state) must be null or one of running, crashed, unknown, unstored, done, abandoned, damaged
PayLock\Admin::forget(): Argument #2 ($scope) must not contain '{', '}' or NUL bytes
TypeError
