--TEST--
IdempotencyGuard on Redis, large results (over 16 KB) stored outside Lua: a plain SET staged under the owner's token and published by a small owner-checked script in the same round trip, replayed with a plain GET; exactly once across forked deliveries, a claim stolen after its lease end never publishes its result, forget() removes it
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
use PayLock\IdempotencyGuard;

$opts = ['max_result_bytes' => 4 << 20];
$rec = fn(string $key) => "paylock:idem:{{$key}}";
$staged = fn(string $key) => redis_raw(['KEYS', $rec($key) . ':v:*']);

// 1. Stored and replayed byte for byte; the record marks it, the bytes are in p:key:v, nothing staged left.
$g = new IdempotencyGuard(redis_store(), $opts);
$key = uniq('big');
$big = random_bytes(1 << 20);
$first = $g->run($key, fn() => $big);
$again = $g->run($key, fn() => 'never');
echo '1. first and replay are the result: ', var_export($first === $big && $again === $big, true), "\n";
echo '1. record: state ', redis_raw(['HGET', $rec($key), 's']), ', inline v: ', var_export(redis_raw(['HEXISTS', $rec($key), 'v']), true),
	', b: ', redis_raw(['HGET', $rec($key), 'b']), ', p:key:v bytes > 1 MB: ', var_export(redis_raw(['STRLEN', $rec($key) . ':v']) > (1 << 20), true),
	', staged left: ', count($staged($key)), "\n";
$pttl = redis_raw(['PTTL', $rec($key) . ':v']);
echo '1. p:key:v expires with the record: ', var_export(abs($pttl - redis_raw(['PTTL', $rec($key)])) < 1000, true), "\n";
$small = $g->run(uniq('small'), fn() => 'tiny');
echo '1. a small result stays inline: ', $small, "\n";

// 2. Exactly once: 8 forked deliveries of one key, each with its own result; one runs, all get its bytes.
$key = uniq('big-once');
$tally = tally_file();
$got = fork_workers(8, function (int $i) use ($key, $opts, $tally) {
	$g = new IdempotencyGuard(redis_store(), $opts);
	return md5($g->run($key, function () use ($i, $tally) {
		tally($tally);
		usleep(100000);
		return str_repeat(chr(65 + $i), 300000);
	}, null, 20.0));
});
echo '2. ran: ', tally_count($tally), ', distinct results seen: ', count(array_unique($got)), ', errors: ',
	count(array_filter($got, fn($x) => str_starts_with($x, 'ERROR'))), ', staged left: ', count($staged($key)), "\n";

// 3. A claim stolen after its lease end: the slow owner (a forked process) completes after another process
//    took the key over and stored its own result; the slow result is discarded, never published.
$key = uniq('big-stolen');
[$up, $down] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$slow = pcntl_fork();
if ($slow === 0) {
	fclose($up);
	$g = new IdempotencyGuard(redis_store(), $opts + ['in_progress_ttl' => 0.3]);
	$c = $g->begin($key);
	fwrite($down, "claimed\n");
	fgets($down); // the parent says the key was taken over
	try {
		$c->complete(str_repeat('S', 200000));
		$r = 'stored?!';
	} catch (PayLock\LockLostException $e) {
		$r = get_class($e);
	}
	fwrite($down, "$r\n");
	exit(0);
}
fclose($down);
fgets($up);
usleep(400000); // past the slow owner's lease
$taker = fork_workers(1, fn() => md5((new IdempotencyGuard(redis_store(), $opts))->run($key, fn() => str_repeat('T', 200000))));
fwrite($up, "go\n");
echo '3. slow owner: ', trim(fgets($up)), "\n";
pcntl_waitpid($slow, $st);
$replay = (new IdempotencyGuard(redis_store(), $opts))->run($key, fn() => 'never');
echo '3. replay is the taker\'s result: ', var_export($replay === str_repeat('T', 200000) && $taker[0] === md5($replay), true),
	', staged left: ', count($staged($key)), "\n";

// 4. forget() removes the published result too.
$g->forget($key);
echo '4. after forget: record ', redis_raw(['EXISTS', $rec($key)]), ', p:key:v ', redis_raw(['EXISTS', $rec($key) . ':v']), "\n";
?>
--EXPECT--
1. first and replay are the result: true
1. record: state d, inline v: 0, b: 1, p:key:v bytes > 1 MB: true, staged left: 0
1. p:key:v expires with the record: true
1. a small result stays inline: tiny
2. ran: 1, distinct results seen: 1, errors: 0, staged left: 0
3. slow owner: PayLock\LockLostException
3. replay is the taker's result: true, staged left: 0
4. after forget: record 0, p:key:v 0
