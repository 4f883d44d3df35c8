--TEST--
How many script calls a Redis release makes, read through MONITOR on a private server: one when nobody waits, one when the lock was handed over with the next waiter named, two when waiters queued after the holder took the lock (the first call learns the queue's head, the second hands over)
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
require __DIR__ . '/../_support/common.inc';
require_once __DIR__ . '/../_support/redis_server.inc';
require_once __DIR__ . '/../_support/lua_scripts.inc';
require_once __DIR__ . '/../_support/admin.inc';

$r = new PrivateRedis(['--appendonly', 'yes']);
$port = $r->port;
$dsn = $r->dsn();
$scripts = lua_scripts();
$sha = [sha1($scripts['RELEASE_ONE']) => 'release_one', sha1($scripts['RELEASE']) => 'release'];

// Marks in the MONITOR stream, sent on a connection of their own.
function mark(int $port, string $what): void
{
	$c = stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 2);
	fwrite($c, '*2' . "\r\n" . '$4' . "\r\nECHO\r\n$" . strlen($what) . "\r\n$what\r\n");
	fgets($c);
	fgets($c);
	fclose($c);
}

// Scripts loaded first: a NOSCRIPT retry would be a trip the count below should not see.
$warm = new PayLock\Lock(new PayLock\RedisStore($dsn), 'warm', ttl: 5);
$warm->acquire();
$warm->release();
$w1 = new PayLock\Lock(new PayLock\RedisStore($dsn), 'warm', ttl: 5);
$w1->acquire();
$k = pcntl_fork();
if ($k === 0) {
	$l = new PayLock\Lock(new PayLock\RedisStore($dsn), 'warm', ttl: 5);
	$l->acquire(wait: 5.0);
	$l->release();
	exit(0);
}
usleep(200000);
$w1->release();
pcntl_waitpid($k, $st);

$mon = stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 2);
fwrite($mon, "MONITOR\r\n");
fgets($mon);

// h takes the name with nobody waiting; a then b queue behind it. h's release: waiters came after it
// took the lock. a is handed the lock with b named as next: one call. b is handed it with nobody behind.
// The order is made by looking at the queue and by flag files, not by sleeping: each holder marks its
// release only after the previous holder's end mark went out.
$flags = lock_dir();
mkdir($flags);
$queued = fn(int $n) => wait_until(fn() => redis_raw(['LLEN', 'paylock:{name}:q'], $port) === $n, 10);
$h = new PayLock\Lock(new PayLock\RedisStore($dsn), 'name', ttl: 30);
$h->acquire();
$kids = [];
foreach (['a' => 'h', 'b' => 'a'] as $who => $after) {
	if (($pid = pcntl_fork()) === 0) {
		$l = new PayLock\Lock(new PayLock\RedisStore($dsn), 'name', ttl: 30);
		$l->acquire(wait: 30.0) or exit(1);
		wait_until(fn() => file_exists("$flags/$after"), 30) or exit(2);
		mark($port, "start $who");
		$l->release();
		mark($port, "end $who");
		touch("$flags/$who");
		exit(0);
	}
	$kids[] = $pid;
	$queued(count($kids)) or die("$who did not queue\n");
}
mark($port, 'start h');
$h->release();
mark($port, 'end h');
touch("$flags/h");
foreach ($kids as $pid) {
	pcntl_waitpid($pid, $st);
	echo 'waiter exit: ', pcntl_wexitstatus($st), "\n";
}
// And a release nobody waits for.
$u = new PayLock\Lock(new PayLock\RedisStore($dsn), 'alone', ttl: 5);
$u->acquire();
mark($port, 'start u');
$u->release();
mark($port, 'end u');

// Script calls between each start and end mark (by sha: other clients' calls, a woken waiter's
// extension or a heartbeat, are other scripts).
stream_set_timeout($mon, 2);
$calls = [];
$open = [];
while (($line = fgets($mon)) !== false) {
	if (preg_match('/"ECHO" "(start|end) (\w)"/', $line, $m)) {
		if ($m[1] === 'start') {
			$open[$m[2]] = true;
			$calls[$m[2]] = [];
		} else {
			unset($open[$m[2]]);
			if ($m[2] === 'u') {
				break;
			}
		}
	} elseif (preg_match('/"EVALSHA" "([0-9a-f]{40})"/', $line, $m) && isset($sha[$m[1]])) {
		foreach (array_keys($open) as $who) {
			$calls[$who][] = $sha[$m[1]];
		}
	}
}
foreach (['h' => 'waiters queued after it took the lock', 'a' => 'handed over with the next waiter named',
	'b' => 'handed over with nobody behind', 'u' => 'nobody ever waited'] as $who => $what) {
	echo "$who ($what): ", json_encode($calls[$who] ?? null), "\n";
}
?>
--EXPECT--
waiter exit: 0
waiter exit: 0
h (waiters queued after it took the lock): ["release_one","release"]
a (handed over with the next waiter named): ["release"]
b (handed over with nobody behind): ["release_one"]
u (nobody ever waited): ["release_one"]
