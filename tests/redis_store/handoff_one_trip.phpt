--TEST--
One-trip hand-off (Redis, one name): the woken waiter holds the lock when its BLPOP returns and extends the short lease with a pipelined call whose reply its next command reads; a failed extension reads as the lock lost at the next call; a connection killed before that reply is read is asked again
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';

/** Forks a waiter on $name running $fn($lock, $tell, $hear) once acquire() returned; waits until it is queued. */
function waiter(string $name, callable $fn, ?PayLock\RedisStore $store = null, ?int $port = null): array
{
	[$up, $down] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
	$pid = pcntl_fork();
	if ($pid === 0) {
		fclose($up);
		try {
			$l = new PayLock\Lock($store ?? redis_store(), $name, 30);
			$ok = $l->acquire(10);
			$out = $fn($l, $ok, $down);
		} catch (Throwable $e) {
			$out = get_class($e) . ': ' . $e->getMessage();
		}
		fwrite($down, "\n" . serialize($out));
		exit(0); // PayLock's request end runs (reads a reply still owed)
	}
	fclose($down);
	$deadline = microtime(true) + 10;
	while (redis_raw(['LLEN', "paylock:{{$name}}:q"], $port) < 1 && microtime(true) < $deadline) {
		usleep(2000); // the test watches the queue; PayLock never polls
	}
	return [$pid, $up];
}

function result(array $w): mixed
{
	[$pid, $up] = $w;
	$data = stream_get_contents($up);
	pcntl_waitpid($pid, $st);
	$at = strrpos($data, "\n");
	return $at === false ? 'child died' : unserialize(substr($data, $at + 1));
}


// 1. The release hands the lock over in one trip: the waiter holds it at once, with its own value; the
//    lease it finds afterwards is its ttl (30 s), not the short one.
$name = uniq('one');
$h = new PayLock\Lock(redis_store(), $name, 30);
$h->acquire();
$w = waiter($name, function (PayLock\Lock $l, bool $ok) use ($name) {
	$t = PayLock\stats();
	$probe = new PayLock\Lock(redis_store(), uniq('other'), 5); // any next command reads the reply
	$probe->acquire();
	$probe->release();
	$pttl = redis_raw(['PTTL', "paylock:{{$name}}"]);
	$holder = PayLock\holder(redis_store(), $name);
	return [$ok, $t['handoffs'], $pttl > 20000, $holder['pid'] === getmypid(), $l->isAcquired(),
		$l->fencingToken() > 0, $l->release()];
});
$h->release();
echo "1. acquired, handed off, ttl lease, own value, held, fenced, released: ", json_encode(result($w)), "\n";

// 2. A wake-up for a grant that lapsed (here: pushed with the lock still held by someone else): the
//    waiter believes it holds the lock; its extension fails, and its next call says the lock is lost.
foreach (['isAcquired', 'refresh', 'release', 'fencingToken'] as $call) {
	$name = uniq('lapsed');
	$h = new PayLock\Lock(redis_store(), $name, 30);
	$h->acquire();
	$w = waiter($name, function (PayLock\Lock $l, bool $ok) use ($call) {
		$other = new PayLock\Lock(redis_store(), uniq('other'), 5);
		$first = $other->acquire() && $other->release(); // reads the reply for $l, on $l's connection
		try {
			$r = $l->$call();
		} catch (PayLock\LockLostException $e) {
			$r = 'LockLostException';
		}
		return [$ok, $first, $r, $l->isAcquired(), PayLock\stats()['lost']];
	});
	$token = redis_raw(['LINDEX', "paylock:{{$name}}:q", 0]);
	redis_raw(['RPUSH', "paylock:{{$name}}:g:$token", '1']);
	$res = result($w);
	printf("2. %s: %s; the holder still holds: %s\n", $call, json_encode($res), var_export($h->isAcquired(), true));
	$h->release();
}

// 3. The waiter's connection is killed after the hand-off, before its reply was read: the next call asks
//    again, synchronously, and the lock is still ours (with its ttl).
$r = start_private_redis();
$dsn = 'redis://127.0.0.1:' . $r[0];
$name = uniq('killed');
$h = new PayLock\Lock(new PayLock\RedisStore($dsn), $name, 30);
$h->acquire();
$w = waiter($name, function (PayLock\Lock $l, bool $ok, $down) use ($name, $r) {
	fwrite($down, "woken\n");
	fgets($down); // the parent killed our connection
	$held = $l->isAcquired();
	return [$ok, $held, redis_raw(['PTTL', "paylock:{{$name}}"], $r[0]) > 20000, $l->release()];
}, new PayLock\RedisStore($dsn), $r[0]);
$h->release();
echo "3. ", trim(fgets($w[1])), "; killed: ",
	redis_raw(['CLIENT', 'KILL', 'TYPE', 'normal', 'SKIPME', 'yes'], $r[0]) >= 1 ? 'yes' : 'no', "\n";
fwrite($w[1], "go\n");
echo "3. acquired, still held, ttl lease, released: ", json_encode(result($w)), "\n";
stop_private_redis($r);
?>
--EXPECT--
1. acquired, handed off, ttl lease, own value, held, fenced, released: [true,1,true,true,true,true,true]
2. isAcquired: [true,true,false,false,1]; the holder still holds: true
2. refresh: [true,true,"LockLostException",false,1]; the holder still holds: true
2. release: [true,true,false,false,1]; the holder still holds: true
2. fencingToken: [true,true,"LockLostException",false,1]; the holder still holds: true
3. woken; killed: yes
3. acquired, still held, ttl lease, released: [true,true,true,true]
