--TEST--
Lock: acquire, isAcquired, remainingLifetime, fencingToken, holder(), release, re-acquire, destructor release
--EXTENSIONS--
paylock
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
$store = redis_store();
$name = uniq('order');
$a = new PayLock\Lock($store, $name, 10);
$b = new PayLock\Lock($store, $name, 10);

var_dump($a->isAcquired(), $a->remainingLifetime(), $a->isDegraded(), PayLock\holder($store, $name));
var_dump($a->acquire());
$left = $a->remainingLifetime();
var_dump($left > 9.9 && $left <= 10.0, $a->isAcquired(), $a->isDegraded());
$fence = $a->fencingToken();   // issued on first request, recorded with the holder
$h = PayLock\holder($store, $name);
var_dump(array_keys($h), $h['pid'] === getmypid(), $h['host'] === gethostname(),
	abs($h['acquired_at'] - microtime(true)) < 5, $h['ttl'] > 9 && $h['ttl'] <= 10, $h['fence'] === $fence);

// Someone else cannot take it; acquire on the holder renews it.
var_dump($b->acquire(), $b->isAcquired());
$fence = $a->fencingToken();
usleep(100000);
var_dump($a->acquire(), $a->remainingLifetime() > 9.95, $a->fencingToken() === $fence);

var_dump($a->release(), $a->release(), $a->isAcquired(), PayLock\holder($store, $name));
var_dump($b->acquire(), $b->fencingToken() > $fence);

// Going out of scope releases.
unset($b);
var_dump(PayLock\holder($store, $name));
// Also when a new lock object takes over the variable.
$c = new PayLock\Lock($store, $name);
$c->acquire();
$c = new PayLock\Lock($store, $name);
var_dump($c->acquire());
var_dump($c);
?>
--EXPECTF--
bool(false)
NULL
bool(false)
NULL
bool(true)
bool(true)
bool(true)
bool(false)
array(6) {
  [0]=>
  string(4) "host"
  [1]=>
  string(3) "pid"
  [2]=>
  string(11) "acquired_at"
  [3]=>
  string(3) "ttl"
  [4]=>
  string(5) "fence"
  [5]=>
  string(5) "store"
}
bool(true)
bool(true)
bool(true)
bool(true)
bool(true)
bool(false)
bool(false)
bool(true)
bool(true)
bool(true)
bool(true)
bool(false)
bool(false)
NULL
bool(true)
bool(true)
NULL
bool(true)
object(PayLock\Lock)#%d (4) {
  ["name"]=>
  string(%d) "order:%s"
  ["ttl"]=>
  float(30)
  ["held"]=>
  bool(true)
  ["store"]=>
  string(5) "redis"
}
