--TEST--
Redis faults: a release whose reply is lost is recognised as ours when it is sent again (silent reconnect, or a retry after a timeout): run() reports no false overlap, release() returns true, nothing counts as lost
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
$p = fault_proxy($r['port']);
$store = new PayLock\RedisStore("redis://127.0.0.1:{$p['port']}", ['read_timeout' => 0.3]);
$lost = PayLock\stats()['lost'];

// Warm up: the release script is loaded, so the next release is one EVALSHA that really runs.
foreach ([new PayLock\Lock($store, 'w'), new PayLock\MultiLock($store, ['w1', 'w2'])] as $l) {
	$l->acquire();
	$l->release();
}

foreach (['Lock' => new PayLock\Lock($store, 'a'), 'MultiLock' => new PayLock\MultiLock($store, ['b1', 'b2'])] as $what => $l) {
	try {
		$out = $l->run(function () use ($p) {
			fault_proxy_arm($p, 'cut', 'EVALSHA'); // the release: it runs, the connection dies before its reply
			return 'done';
		});
	} catch (PayLock\Exception $e) {
		$out = get_class($e) . ': ' . $e->getMessage();
	}
	echo "$what run() with the release reply cut: $out\n";
}

// The reply times out: release() fails; the retry finds the tombstone and says "released by us".
$l = new PayLock\Lock($store, 'c');
$l->acquire();
fault_proxy_arm($p, 'drop', 'EVALSHA');
try {
	$l->release();
} catch (PayLock\ConnectionException $e) {
	echo "release with its reply dropped: ConnectionException\n";
}
echo "release() again: ", var_export($l->release(), true), "\n";
echo "replies lost by the proxy: ", fault_proxy_fired($p), "\n";
echo "counted as lost: ", PayLock\stats()['lost'] - $lost, "\n";

$other = new PayLock\RedisStore("redis://127.0.0.1:{$r['port']}");

// The tombstone is one key per lock object (each release overwrites it with its token). An object used
// before, its release reply dropped, and meanwhile another object of this process and another process
// take and release the name: the retry still reads as ours.
$d = new PayLock\Lock($store, 'd');
for ($i = 0; $i < 3; $i++) {
	$d->acquire();
	$d->release();
}
$d->acquire();
fault_proxy_arm($p, 'drop', 'EVALSHA');
try {
	$d->release();
} catch (PayLock\ConnectionException $e) {
	echo "reused object, release with its reply dropped: ConnectionException\n";
}
foreach ([$store, $other] as $s) {
	$e = new PayLock\Lock($s, 'd');
	echo "meanwhile another object takes and releases d: ", var_export($e->acquire() && $e->release(), true), "\n";
}
$pid = pcntl_fork();
if ($pid === 0) {
	exit($d->acquire() && $d->release() ? 0 : 1); // the inherited object: a tombstone of its own
}
pcntl_waitpid($pid, $st);
echo "and a forked child with the inherited object: ", pcntl_wexitstatus($st) === 0 ? 'ok' : 'failed', "\n";
echo "reused object, release() again: ", var_export($d->release(), true), "\n";

foreach (['a', 'b1', 'b2', 'c'] as $n) {
	echo "$n free: ", var_export((new PayLock\Lock($other, $n))->acquire(), true), "\n";
}
// A release that was not ours stays false (the tombstone holds the token it released), also for an
// object whose earlier release left a tombstone under the same key.
$x = new PayLock\Lock($store, 'x', 0.05);
$x->acquire();
$x->release();
$x->acquire();
usleep(80000);
(new PayLock\Lock($other, 'x'))->acquire();
echo "expired and taken over, release(): ", var_export($x->release(), true), "\n";
fault_proxy_stop($p);
fault_redis_stop($r);
?>
--EXPECT--
Lock run() with the release reply cut: done
MultiLock run() with the release reply cut: done
release with its reply dropped: ConnectionException
release() again: true
replies lost by the proxy: 3
counted as lost: 0
reused object, release with its reply dropped: ConnectionException
meanwhile another object takes and releases d: true
meanwhile another object takes and releases d: true
and a forked child with the inherited object: ok
reused object, release() again: true
a free: true
b1 free: true
b2 free: true
c free: true
expired and taken over, release(): false
