--TEST--
Every command a PayLock script runs inside Redis touches only keys the script call declared in KEYS: real traffic (contended hand-offs, MultiLock, wait timeouts, idempotency waiters) on a private redis-server, read back through MONITOR and checked key by key with COMMAND GETKEYS
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

$r = new PrivateRedis(['--appendonly', 'yes']); // idempotency records want persistence (else a warning)
$mon = stream_socket_client("tcp://127.0.0.1:$r->port", $errno, $errstr, 2);
fwrite($mon, "MONITOR\r\n");
echo 'monitor: ', trim(fgets($mon)), "\n";

// Contended hand-offs on one name (release hands on, the waiter's wake-up list), a MultiLock over a
// busy name, waits that time out (leave), and idempotency waiters woken by complete().
$dsn = $r->dsn();
$out = fork_workers(4, function (int $i) use ($dsn) {
	$store = new PayLock\RedisStore($dsn, ['persistent' => false]);
	$held = 0;
	for ($k = 0; $k < 5; $k++) {
		$l = new PayLock\Lock($store, 'one', ttl: 5);
		if ($l->acquire(wait: 5.0)) {
			usleep(20000);
			$l->release();
			$held++;
		}
		$m = new PayLock\MultiLock($store, ['one', 'two', "own-$i"], ttl: 5);
		if ($m->acquire(wait: 5.0)) {
			usleep(5000);
			$m->release();
			$held++;
		}
	}
	$t = new PayLock\Lock($store, 'one', ttl: 5);
	if ($i === 0) {
		$t->acquire(wait: 5.0);
		usleep(300000);
		$t->release();
	} else {
		usleep(50000);
		$t->acquire(wait: 0.05); // times out behind worker 0: leaves the queue
	}
	$g = new PayLock\IdempotencyGuard($store, ['scope' => 'keys-test']);
	$ran = $g->run('step', function () {
		usleep(200000);
		return 'done';
	}, wait: 5.0);
	$g->run('big', fn() => str_repeat('x', 20000), wait: 5.0); // over 16 KB: staged by SET, published by a script
	return "$held $ran";
});
echo 'workers: ', json_encode($out), "\n";

// Everything MONITOR saw: a script call's "lua" lines follow its EVAL/EVALSHA line.
stream_set_timeout($mon, 0, 300000);
$lines = [];
while (($line = fgets($mon)) !== false) {
	$lines[] = rtrim($line, "\r\n");
}
fclose($mon);
function monitor_args(string $line): array
{
	preg_match_all('/"((?:[^"\\\\]|\\\\.)*)"/', $line, $m);
	return array_map('stripcslashes', $m[1]);
}
function command_keys(PrivateRedis $r, array $argv): array
{
	$got = $r->cmd(array_merge(['COMMAND', 'GETKEYS'], $argv));
	return is_array($got) ? $got : []; // an error: the command takes no keys (TIME)
}
$calls = 0;
$inner = [];
$undeclared = [];
$declared = null;
foreach ($lines as $line) {
	$a = monitor_args($line);
	if ($a === []) {
		continue;
	}
	if (str_contains($line, ' lua] ')) {
		if ($declared === null) {
			$undeclared[] = "outside a script call: $line";
			continue;
		}
		$inner[strtoupper($a[0])] = true;
		foreach (command_keys($r, $a) as $k) {
			if (!isset($declared[$k])) {
				$undeclared[] = strtoupper($a[0]) . " $k";
			}
		}
		continue;
	}
	$cmd = strtoupper($a[0]);
	$declared = null;
	if ($cmd === 'EVALSHA' || $cmd === 'EVAL') {
		$calls++;
		$declared = array_flip(array_slice($a, 3, (int)$a[2]));
	}
}
ksort($inner);
echo 'script calls seen: ', yes($calls >= 40, (string)$calls), "\n";
echo 'hand-offs woke waiters (RPUSH from a script): ', yes(isset($inner['RPUSH']), implode(' ', array_keys($inner))), "\n";
echo 'large results published (RENAME from a script): ', yes(isset($inner['RENAME']), implode(' ', array_keys($inner))), "\n";
echo 'undeclared keys: ', json_encode(array_values(array_unique($undeclared))), "\n";
?>
--EXPECT--
monitor: +OK
workers: ["10 done","10 done","10 done","10 done"]
script calls seen: yes
hand-offs woke waiters (RPUSH from a script): yes
large results published (RENAME from a script): yes
undeclared keys: []
