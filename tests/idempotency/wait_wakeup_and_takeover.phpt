--TEST--
IdempotencyGuard: waiters are woken by the completer (no polling) within milliseconds; if the owner abandons, exactly one waiter takes over and the rest get its result; a waiter's deadline ends in InProgressException on time
--EXTENSIONS--
paylock
pcntl
posix
--INI--
pcre.jit=0
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
/** Valgrind runs PHP many times slower: timing bounds stretch, what they assert stays. */
function slow_factor(): int { return getenv('USE_ZEND_ALLOC') === '0' ? 5 : 1; }
require __DIR__ . '/../_support/common.inc';
use PayLock\IdempotencyGuard;

$n = procs(12, 6);
foreach (idem_stores() as $kind => $store) {
	echo "== $kind\n";
	$g = new IdempotencyGuard($store);

	// Wake-up latency: the owner completes at a known time; each waiter notes when it returned.
	$key = uniq('evt');
	$claim = $g->begin($key);
	$done_at = microtime(true) + 0.5;
	$pids = [];
	$got = [];
	$kids = [];
	for ($i = 0; $i < $n; $i++) {
		$pair = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
		if (($pid = pcntl_fork()) === 0) {
			fclose($pair[0]);
			$r = (new IdempotencyGuard($store))->run($key, fn() => 'WAITER RAN', null, 5.0);
			fwrite($pair[1], serialize([$r, microtime(true)]));
			posix_kill(getmypid(), SIGKILL);
		}
		fclose($pair[1]);
		$kids[] = [$pid, $pair[0]];
	}
	time_sleep_until($done_at);
	$claim->complete('captured');
	$late = [];
	foreach ($kids as [$pid, $sock]) {
		[$r, $t] = unserialize(stream_get_contents($sock));
		pcntl_waitpid($pid, $st);
		$got[] = $r;
		$late[] = $t - $done_at;
	}
	printf("%s waiters got %s; all woken within 100 ms of complete(): %s\n", $n === procs(12, 6) ? 'N' : $n, implode(',', array_unique($got)),
		max($late) < 0.1 * slow_factor() ? 'true' : sprintf('false (%.0f ms)', max($late) * 1e3));

	// Abandon: exactly one waiter runs the step, the others get its result.
	$key = uniq('evt');
	$tally = tally_file();
	$owner = pcntl_fork();
	if ($owner === 0) {
		$c = (new IdempotencyGuard($store))->begin($key);
		usleep(600000);
		$c->abandon();
		posix_kill(getmypid(), SIGKILL);
	}
	usleep(200000); // the owner has claimed
	$results = fork_workers($n, function ($i) use ($store, $key, $tally) {
		return (new IdempotencyGuard($store))->run($key, function () use ($tally, $i) {
			tally($tally);
			usleep(100000);
			return "run by waiter $i";
		}, null, 5.0);
	});
	pcntl_waitpid($owner, $st);
	printf("owner abandoned: step ran %d time(s) among N waiters, %d distinct result(s), errors: %d\n",
		tally_count($tally), count(array_unique($results)), count(array_filter($results, fn($r) => str_starts_with($r, 'ERROR'))));

	// The caller's deadline: InProgressException on time.
	$key = uniq('evt');
	$claim = $g->begin($key);
	$t = microtime(true);
	try {
		$g->begin($key, null, 0.3);
	} catch (PayLock\InProgressException $e) {
		$took = microtime(true) - $t;
		printf("deadline 0.3 s: InProgressException after 0.3 s +-30 ms: %s\n", abs($took - 0.3) < 0.03 * slow_factor() ? 'true' : sprintf('false (%.3f s)', $took));
		echo preg_replace('/"[^"]+"/', '"K"', $e->getMessage()), "\n";
	}
	$claim->complete('x');
}
$s = PayLock\stats();
printf("waited=%d in_progress=%d\n", $s['idem_waited'], $s['idem_in_progress']);
?>
--EXPECT--
== redis
N waiters got captured; all woken within 100 ms of complete(): true
owner abandoned: step ran 1 time(s) among N waiters, 1 distinct result(s), errors: 0
deadline 0.3 s: InProgressException after 0.3 s +-30 ms: true
Idempotency key "K" is still being processed by another request after waiting 0.300 s
== file
N waiters got captured; all woken within 100 ms of complete(): true
owner abandoned: step ran 1 time(s) among N waiters, 1 distinct result(s), errors: 0
deadline 0.3 s: InProgressException after 0.3 s +-30 ms: true
Idempotency key "K" is still being processed by another request after waiting 0.300 s
waited=2 in_progress=2
