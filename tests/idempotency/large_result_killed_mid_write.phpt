--TEST--
IdempotencyGuard on Redis, large results: an owner SIGKILLed while its result (SET to the staged key, pipelined with the publish script) is still on the wire publishes nothing; a staged result whose publish never came (the crash window between the two commands) is never replayed and expires; the next delivery takes over after in_progress_ttl and its own result is the one replayed
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/faults.inc';
use PayLock\IdempotencyGuard;

$r = fault_redis();
$dsn = "redis://127.0.0.1:{$r['port']}";
$opts = ['max_result_bytes' => 64 << 20, 'in_progress_ttl' => 0.5];
$rec = fn(string $key) => "paylock:idem:{{$key}}";
$staged = fn(string $key) => fault_raw($r, ['KEYS', $rec($key) . ':v:*']);
$tally = tally_file();
$retry = function (string $key) use ($dsn, $opts, $tally): string {
	return (new IdempotencyGuard(new PayLock\RedisStore($dsn), $opts))->run($key, function () use ($tally) {
		tally($tally);
		return str_repeat('N', 100000);
	});
};

// 1. Killed mid-write: Redis is stopped, so the 32 MB pipeline fills the socket buffers and the owner
//    blocks in its write; it is SIGKILLed there. Redis gets a cut-off SET and drops it with the connection.
$key = uniq('killed-mid-write');
[$up, $down] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$pid = pcntl_fork();
if ($pid === 0) {
	fclose($up);
	$c = (new IdempotencyGuard(new PayLock\RedisStore($dsn, ['read_timeout' => 30.0]), $opts))->begin($key);
	fwrite($down, "claimed\n");
	$c->complete(str_repeat('K', 32 << 20));
	fwrite($down, "completed?!\n");
	exit(0);
}
fclose($down);
echo '1. owner: ', trim(fgets($up)), "\n";
posix_kill($r['pid'], SIGSTOP);
usleep(300000); // the owner is blocked in its write by now
posix_kill($pid, SIGKILL);
pcntl_waitpid($pid, $st);
posix_kill($r['pid'], SIGCONT);
usleep(200000); // Redis reads what was buffered and sees the connection closed
echo '1. state: ', fault_raw($r, ['HGET', $rec($key), 's']), ', published: ', fault_raw($r, ['EXISTS', $rec($key) . ':v']),
	', staged: ', count($staged($key)), "\n";
usleep(600000); // past in_progress_ttl
echo '1. next delivery runs the step, its result replayed: ',
	var_export($retry($key) === str_repeat('N', 100000) && $retry($key) === str_repeat('N', 100000), true),
	', ran: ', tally_count($tally), "\n";

// 2. The window between the two commands: the staged SET lands, the publish script never runs (here Redis
//    refuses scripts to the owner's user for a moment, as if it died between them), and the owner is gone.
//    Nobody replays the staged bytes; they expire; the next owner publishes its own.
$key = uniq('staged-never-published');
[$up, $down] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
$pid = pcntl_fork();
if ($pid === 0) {
	fclose($up);
	$c = (new IdempotencyGuard(new PayLock\RedisStore($dsn), $opts))->begin($key);
	fwrite($down, "claimed\n");
	fgets($down);
	try {
		$c->complete(str_repeat('S', 100000));
		$out = 'completed?!';
	} catch (PayLock\Exception $e) {
		$out = get_class($e);
	}
	fwrite($down, "$out\n");
	fgets($down);
	posix_kill(getmypid(), SIGKILL); // gone without a word: no abandon
}
fclose($down);
fgets($up);
fault_raw($r, ['ACL', 'SETUSER', 'default', '-eval', '-evalsha']);
fwrite($up, "go\n");
echo '2. the owner\'s complete() with scripts refused: ', trim(fgets($up)), "\n";
fault_raw($r, ['ACL', 'SETUSER', 'default', '+@all']);
fwrite($up, "die\n");
pcntl_waitpid($pid, $st);
$left = $staged($key);
echo '2. state: ', fault_raw($r, ['HGET', $rec($key), 's']), ', published: ', fault_raw($r, ['EXISTS', $rec($key) . ':v']),
	', staged: ', count($left), ', it expires within 60 s: ',
	var_export(count($left) === 1 && fault_raw($r, ['PTTL', $left[0]]) > 0 && fault_raw($r, ['PTTL', $left[0]]) <= 60000, true), "\n";
try {
	(new IdempotencyGuard(new PayLock\RedisStore($dsn), $opts))->run($key, fn() => 'never', null, 0.0);
	echo "2. a delivery meanwhile: returned?!\n";
} catch (PayLock\Exception $e) {
	echo '2. a delivery meanwhile: ', get_class($e), "\n";
}
usleep(600000);
$got = $retry($key);
echo '2. after in_progress_ttl: the next delivery ran (', tally_count($tally) - 1, ') and its result is replayed: ',
	var_export($got === str_repeat('N', 100000) && $retry($key) === $got, true), "\n";
echo '2. the dead owner\'s staged bytes are still the only other key: ', var_export($staged($key) === $left, true), "\n";
fault_redis_stop($r);
?>
--EXPECT--
1. owner: claimed
1. state: r, published: 0, staged: 0
1. next delivery runs the step, its result replayed: true, ran: 1
2. the owner's complete() with scripts refused: PayLock\StoreException
2. state: r, published: 0, staged: 1, it expires within 60 s: true
2. a delivery meanwhile: PayLock\InProgressException
2. after in_progress_ttl: the next delivery ran (1) and its result is replayed: true
2. the dead owner's staged bytes are still the only other key: true
