--TEST--
RedisStore: persistent connections are shared per DSN+options within a process; persistent=false gets its own
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
// A private server: tests running in parallel (40-process storms) must not move its client count.
$srv = start_private_redis();
function clients(): int {
	global $srv;
	preg_match('/connected_clients:(\d+)/', redis_raw(['INFO', 'clients'], $srv[0]), $m);
	return (int)$m[1];
}
$dsn = "redis://127.0.0.1:{$srv[0]}/5";
$base = clients();
$a = new PayLock\RedisStore($dsn);
$a->ping();
$b = new PayLock\RedisStore($dsn);
$b->ping();
echo "two persistent stores, same DSN: +", clients() - $base, "\n";
$c = new PayLock\RedisStore($dsn, ['read_timeout' => 2.5]);
$c->ping();
echo "different options: +", clients() - $base, "\n";
$d = new PayLock\RedisStore($dsn, ['persistent' => false]);
$d->ping();
echo "non-persistent: +", clients() - $base, "\n";
unset($d);
usleep(50000);
echo "non-persistent freed: +", clients() - $base, "\n";
unset($a, $b, $c);
usleep(50000);
echo "persistent stores freed, pool keeps them: +", clients() - $base, "\n";
// A lock on one store and a holder() query on another share the pooled socket without mixing replies.
$l = new PayLock\Lock(new PayLock\RedisStore($dsn), $n = uniq());
$l->acquire();
var_dump(PayLock\holder(new PayLock\RedisStore($dsn), $n)['pid'] === getmypid());
var_dump($l->release());
stop_private_redis($srv);
?>
--EXPECT--
two persistent stores, same DSN: +1
different options: +2
non-persistent: +3
non-persistent freed: +2
persistent stores freed, pool keeps them: +2
bool(true)
bool(true)
