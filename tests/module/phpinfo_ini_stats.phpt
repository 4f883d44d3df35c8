--TEST--
Module: phpinfo() shows version, hiredis, TLS and settings; INI is validated; stats() has every counter
--EXTENSIONS--
paylock
--INI--
paylock.default_ttl=12.5
--FILE--
<?php
ob_start();
phpinfo(INFO_MODULES);
$info = ob_get_clean();
foreach (['paylock support => enabled', 'Version => 0.1.0', 'hiredis headers version => ', 'TLS support (rediss://) => yes', 'TLS library => OpenSSL ',
	'paylock.redis_dsn => redis://127.0.0.1:6379', 'paylock.store => fallback', 'paylock.default_ttl => 12.5'] as $needle) {
	echo $needle, ': ', str_contains($info, $needle) ? 'shown' : 'MISSING', "\n";
}
var_dump(phpversion('paylock'));
var_dump(ini_set('paylock.default_ttl', '0'), ini_get('paylock.default_ttl'));
var_dump(ini_set('paylock.store', 'memcached'), ini_get('paylock.store'));
var_dump(ini_set('paylock.store', 'redis'));
$l = new PayLock\Lock(new PayLock\RedisStore('redis://127.0.0.1:1'), 'x');
var_dump($l);
print_r(array_keys(PayLock\stats()));
?>
--EXPECTF--
paylock support => enabled: shown
Version => 0.1.0: shown
hiredis headers version => : shown
TLS support (rediss://) => yes: shown
TLS library => OpenSSL : shown
paylock.redis_dsn => redis://127.0.0.1:6379: shown
paylock.store => fallback: shown
paylock.default_ttl => 12.5: shown
string(5) "0.1.0"

Warning: ini_set(): paylock.default_ttl must be greater than 0 and at most 2592000 (30 days) in %s on line %d
bool(false)
string(4) "12.5"

Warning: ini_set(): paylock.store must be one of fallback, redis, file in %s on line %d
bool(false)
string(8) "fallback"
string(8) "fallback"
object(PayLock\Lock)#%d (4) {
  ["name"]=>
  string(1) "x"
  ["ttl"]=>
  float(12.5)
  ["held"]=>
  bool(false)
  ["store"]=>
  string(5) "redis"
}
Array
(
    [0] => acquired
    [1] => released
    [2] => contended
    [3] => wait_seconds
    [4] => timeouts
    [5] => handoffs
    [6] => lost
    [7] => degraded
    [8] => idem_executed
    [9] => idem_replayed
    [10] => idem_in_progress
    [11] => idem_waited
    [12] => idem_mismatch
    [13] => idem_abandoned
    [14] => idem_lost
    [15] => idem_eviction_risk
    [16] => eviction_risk
    [17] => no_persistence
    [18] => forced_releases
)
