--TEST--
Fairness (Redis): a waiter handed the lock while it was stopped (SIGSTOP past the grant's 1 s lease) does not count the lock as its own when it wakes: the next waiter took the lapsed grant, and the late one reads its extension's failure first, queues again and gets the lock after it; never two holders
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';

$name = uniq('late');
$inside = uniq('inside'); // a raw counter: how many hold the lock right now
$queue = "paylock:{{$name}}:q";

/** Forks a waiter that, once it holds the lock, counts itself inside for $hold_s and reports. */
function waiter(string $name, string $inside, float $hold_s): array
{
	$pair = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
	$pid = pcntl_fork();
	if ($pid === 0) {
		fclose($pair[0]);
		$l = new PayLock\Lock(redis_store(), $name, 30);
		$ok = $l->acquire(20);
		$at = hrtime(true);
		$peak = $ok ? redis_raw(['INCR', $inside]) : 0;
		usleep((int)($hold_s * 1e6));
		$still = $ok && $l->isAcquired();
		if ($ok) {
			redis_raw(['DECR', $inside]);
			$l->release();
		}
		fwrite($pair[1], serialize([$ok, $peak, $still, $at]));
		posix_kill(getmypid(), SIGKILL);
	}
	fclose($pair[1]);
	return [$pid, $pair[0]];
}

function wait_queued(string $queue, int $n): void
{
	$deadline = microtime(true) + 10;
	while (redis_raw(['LLEN', $queue]) < $n && microtime(true) < $deadline) {
		usleep(2000); // the test watches the queue; PayLock itself never polls
	}
}

$holder = new PayLock\Lock(redis_store(), $name, 30);
$holder->acquire();
$late = waiter($name, $inside, 0.1);
wait_queued($queue, 1);
$next = waiter($name, $inside, 1.0);
wait_queued($queue, 2);
posix_kill($late[0], SIGSTOP);
usleep(50000); // stopped in its BLPOP (or about to send it)
$holder->release(); // the grant goes to the stopped waiter, the head of the queue
usleep(1600000); // past the grant's 1 s lease and the next waiter's heartbeat: it takes the lock
$took = redis_raw(['GET', "paylock:{{$name}}"]);
posix_kill($late[0], SIGCONT); // wakes with the grant item in its socket, 1.6 s late

$r = [];
foreach (['late' => $late, 'next' => $next] as $who => [$pid, $sock]) {
	$r[$who] = unserialize(stream_get_contents($sock));
	pcntl_waitpid($pid, $st);
}
echo 'the next waiter took the lapsed grant while the first was stopped: ', yes(is_string($took) && $took !== '', var_export($took, true)), "\n";
echo 'both got the lock: ', yes($r['late'][0] && $r['next'][0], json_encode($r)), "\n";
echo 'never two holders: ', yes($r['late'][1] === 1 && $r['next'][1] === 1, "peaks {$r['late'][1]}, {$r['next'][1]}"), "\n";
echo 'each still held it at the end of its work: ', yes($r['late'][2] && $r['next'][2], json_encode($r)), "\n";
echo 'the late one after the next one: ', yes($r['late'][3] > $r['next'][3], 'order'), "\n";
redis_raw(['DEL', $inside]);
?>
--EXPECT--
the next waiter took the lapsed grant while the first was stopped: yes
both got the lock: yes
never two holders: yes
each still held it at the end of its work: yes
the late one after the next one: yes
