--TEST--
TLS: signals arriving during the handshake (a PHP signal handler, SIGALRM every 20 ms from another process) do not end it early: with Redis stalled for 400 ms mid-handshake, the connection completes within connect_timeout; a handshake that does not finish still ends at connect_timeout, not later
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/skipif.inc'; ?>
--INI--
pcre.jit=0
--FILE--
<?php
require __DIR__ . '/../_support/tls.inc';

[$r, $port] = tls_private_redis();
$alarms = 0;
pcntl_async_signals(true);
pcntl_signal(SIGALRM, function () use (&$alarms) { $alarms++; });

/** Stops Redis for $ms ms (a child sends SIGCONT), then connects over TLS with signals every 20 ms. */
function connect_while_stalled(PrivateRedis $r, int $port, int $ms, float $connect_timeout): array
{
	posix_kill($r->pid, SIGSTOP);
	$child = pcntl_fork();
	if ($child === 0) {
		usleep($ms * 1000);
		posix_kill($r->pid, SIGCONT);
		posix_kill(getmypid(), SIGKILL);
	}
	$parent = getmypid();
	$signaller = pcntl_fork();
	if ($signaller === 0) {
		for (;;) {
			posix_kill($parent, SIGALRM);
			usleep(20000);
		}
	}
	$t = microtime(true);
	try {
		$store = new PayLock\RedisStore("rediss://127.0.0.1:$port",
			tls_options() + ['persistent' => false, 'connect_timeout' => $connect_timeout]);
		$what = $store->ping() ? 'connected' : 'no pong';
	} catch (PayLock\Exception $e) {
		$what = get_class($e) . ': ' . $e->getMessage();
	}
	$took = microtime(true) - $t;
	posix_kill($signaller, SIGKILL);
	pcntl_waitpid($signaller, $st);
	pcntl_waitpid($child, $st);
	posix_kill($r->pid, SIGCONT);
	return [$what, $took];
}

[$what, $took] = connect_while_stalled($r, $port, 400, 3.0);
echo "stalled 400 ms, connect_timeout 3 s: $what\n";
echo "signals arrived meanwhile: ", yes($alarms >= 5, "$alarms"), "\n";
[$what, $took] = connect_while_stalled($r, $port, 4000, 0.5);
echo "stalled 4 s, connect_timeout 0.5 s: ", preg_replace('/ at \S+/', ' at ...', $what), "\n";
echo "ended near connect_timeout: ", yes($took >= 0.45 && $took < 2.5, sprintf('%.2f s', $took)), "\n";
?>
--EXPECT--
stalled 400 ms, connect_timeout 3 s: connected
signals arrived meanwhile: yes
stalled 4 s, connect_timeout 0.5 s: PayLock\ConnectionException: Cannot connect to Redis at ... the TLS handshake timed out
ended near connect_timeout: yes
