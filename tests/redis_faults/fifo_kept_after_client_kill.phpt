--TEST--
Redis faults: waiters whose connections are killed (CLIENT KILL) keep their places in the queue: they get the lock in arrival order
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/faults.inc';
$r = fault_redis();
$dsn = "redis://127.0.0.1:{$r['port']}";
$name = uniq('fifo');
$order = tally_file();
$holder = new PayLock\Lock(new PayLock\RedisStore($dsn), $name, 30);
$holder->acquire();
$kids = [];
for ($i = 0; $i < 4; $i++) {
	if (($pid = pcntl_fork()) === 0) {
		$l = new PayLock\Lock(new PayLock\RedisStore($dsn, ['read_timeout' => 0.3]), $name, 30);
		try {
			$got = $l->acquire(10.0) ? "$i" : "$i:timeout";
		} catch (PayLock\Exception $e) {
			$got = "$i:" . get_class($e);
		}
		file_put_contents($order, "$got ", FILE_APPEND);
		usleep(30000);
		$l->release();
		posix_kill(getmypid(), SIGKILL);
	}
	$kids[] = $pid;
	usleep(150000); // arrival order 0, 1, 2, 3
}
usleep(200000);
echo "killed: ", fault_client_kill($r) >= 4 ? 'every waiter' : 'fewer', "\n";
usleep(300000);
$holder->release();
foreach ($kids as $pid) {
	pcntl_waitpid($pid, $st);
}
echo "order: ", trim(file_get_contents($order)), "\n";
fault_redis_stop($r);
?>
--EXPECT--
killed: every waiter
order: 0 1 2 3
