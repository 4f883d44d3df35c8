--TEST--
replicas: a waiter handed the lock (with replicas its grant is taken through the acquire script) keeps it: a third process trying 0.4 s later does not get it, and the woken waiter's fencing token and release still work (no two holders)
--EXTENSIONS--
paylock
pcntl
--SKIPIF--
<?php
require __DIR__ . '/../_support/skipif.inc';
if (!getenv('PAYLOCK_TEST_REDIS_PRIMARY')) die('skip PAYLOCK_TEST_REDIS_PRIMARY not set (tests/run.sh starts a primary with a replica)');
?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
use PayLock\{RedisStore, Lock};

$primary = getenv('PAYLOCK_TEST_REDIS_PRIMARY');
$opts = ['replicas' => 1, 'replica_timeout' => 0.5, 'read_timeout' => 2.0, 'persistent' => false];
foreach ([1, 0] as $replicas) {
	$opts['replicas'] = $replicas;
	$name = uniq("handoff-r$replicas");
	$out = tally_file();
	$holder = new Lock(new RedisStore($primary, $opts), $name, 10);
	$holder->acquire();
	$pid = pcntl_fork();
	if ($pid === 0) { // the waiter: handed the lock, holds it 1 s, then checks it still does
		$l = new Lock(new RedisStore($primary, $opts), $name, 10);
		$got = $l->acquire(5.0);
		usleep(1000000);
		try {
			$fence = $l->fencingToken() > 0;
		} catch (Throwable $e) {
			$fence = get_class($e) . ': ' . $e->getMessage();
		}
		file_put_contents($out, json_encode([$got, $fence, $l->release()]));
		exit(0);
	}
	while (empty(PayLock\holder(new RedisStore($primary, $opts), $name)['waiters'] ?? null)
		&& redis_raw(['LLEN', "paylock:{{$name}}:q"], (int)parse_url($primary, PHP_URL_PORT)) < 1) {
		usleep(5000);
	}
	$holder->release();
	usleep(400000); // past the old 100 ms confirm time, well inside the waiter's hold
	$third = new Lock(new RedisStore($primary, $opts), $name, 10);
	$took = $third->acquire(0.2);
	pcntl_waitpid($pid, $status);
	[$got, $fence, $released] = json_decode((string)file_get_contents($out), true) ?? [null, null, null];
	echo "replicas=$replicas: waiter handed the lock: ", yes($got === true, json_encode($got)),
		', a third process kept out: ', yes($took === false, "third acquire(0.2) on $name returned " . var_export($took, true)),
		', the waiter still holds it (fencing token): ', yes($fence === true, json_encode($fence)),
		', and releases it: ', yes($released === true, json_encode($released)), "\n";
	if ($took) {
		$third->release();
	}
}
?>
--EXPECT--
replicas=1: waiter handed the lock: yes, a third process kept out: yes, the waiter still holds it (fencing token): yes, and releases it: yes
replicas=0: waiter handed the lock: yes, a third process kept out: yes, the waiter still holds it (fencing token): yes, and releases it: yes
