--TEST--
Fairness (Redis): waiters queued in a known order acquire in exactly that order, each handed the lock by its predecessor's release (stats: contended, handoffs, wait_seconds)
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
$name = uniq('fifo');
$queue = "paylock:{{$name}}:q";
$n = procs(12, 6);

$holder = new PayLock\Lock(redis_store(), $name, 30);
var_dump($holder->acquire());

// Waiter i starts only once waiter i-1 is queued, so the arrival order is known.
$pipes = [];
$pids = [];
for ($i = 0; $i < $n; $i++) {
	$pair = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
	$pid = pcntl_fork();
	if ($pid === 0) {
		fclose($pair[0]);
		$l = new PayLock\Lock(redis_store(), $name, 30);
		$ok = $l->acquire(60);
		$at = hrtime(true);
		usleep(5000);
		$l->release();
		fwrite($pair[1], serialize([$ok, $at, PayLock\stats()]));
		posix_kill(getmypid(), SIGKILL);
	}
	fclose($pair[1]);
	$pipes[$i] = $pair[0];
	$pids[$i] = $pid;
	$deadline = microtime(true) + 10;
	while (redis_raw(['LLEN', $queue]) < $i + 1 && microtime(true) < $deadline) {
		usleep(2000); // the test watches the queue; PayLock itself never polls
	}
}
echo "queued: ", redis_raw(['LLEN', $queue]), "\n";
$released = hrtime(true);
var_dump($holder->release());

$got = [];
foreach ($pipes as $i => $p) {
	[$ok, $at, $stats] = unserialize(stream_get_contents($p));
	pcntl_waitpid($pids[$i], $st);
	$got[$i] = $at;
	// each waiter: one contended acquire, handed over by its predecessor, no timeout
	if (!$ok || $stats['contended'] !== 1 || $stats['handoffs'] !== 1 || $stats['timeouts'] !== 0
		|| $stats['wait_seconds'] <= 0) {
		echo "waiter $i: acquired ", var_export($ok, true), ", stats ", json_encode($stats), "\n";
	}
}
asort($got);
$order = array_keys($got);
echo "acquired in arrival order: ", $order === range(0, $n - 1) ? 'yes' : 'no: ' . implode(',', $order), "\n";
// 5 ms held each: a queue that hands over directly needs about n x 5 ms, a polling one much longer
// (a heartbeat, 250 ms, per waiter). Under valgrind every process is many times slower: n x 100 ms.
$total = (max($got) - $released) / 1e9;
$each = getenv('USE_ZEND_ALLOC') === '0' ? 0.100 : 0.025;
echo "all served within n x 25 ms (100 ms under valgrind): ", $total < $n * $each ? 'yes' : "no ($total s)", "\n";
$left = ['q' => redis_raw(['EXISTS', $queue]), 'w' => redis_raw(['EXISTS', "paylock:{{$name}}:w"])];
echo "queue left empty: ", yes($left === ['q' => 0, 'w' => 0], "Redis keys of $name still there: " . json_encode($left)), "\n";
echo "lock free: ", var_export(PayLock\holder(redis_store(), $name), true), "\n";
?>
--EXPECTF--
bool(true)
queued: %d
bool(true)
acquired in arrival order: yes
all served within n x 25 ms (100 ms under valgrind): yes
queue left empty: yes
lock free: NULL
