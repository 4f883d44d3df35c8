--TEST--
DSN query options: every RedisStore option (and db, user, password) can be set in redis:// and unix:// query strings and takes effect; the $options array wins over the query; unknown keys list the known ones; bad values name the key
--EXTENSIONS--
paylock
--INI--
pcre.jit=0
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
use PayLock\{RedisStore, Lock, ReplicationException};

$dsn = redis_dsn();
$port = (int)getenv('PAYLOCK_TEST_REDIS_PORT');
$sock = getenv('PAYLOCK_TEST_REDIS_SOCK');
$auth = (int)getenv('PAYLOCK_TEST_REDIS_AUTH_PORT');

function raw_in_db(int $port, int $db, array $argv): mixed
{
	$s = stream_socket_client("tcp://127.0.0.1:$port");
	foreach ([['SELECT', (string)$db], $argv] as $a) {
		$out = '*' . count($a) . "\r\n";
		foreach ($a as $x) {
			$out .= '$' . strlen($x) . "\r\n$x\r\n";
		}
		fwrite($s, $out);
		$r = resp_read($s);
	}
	return $r;
}
function pooled(): int
{
	ob_start();
	phpinfo(INFO_MODULES);
	return preg_match('/Persistent Redis connections in this process => (\d+)/', ob_get_clean(), $m) ? (int)$m[1] : -1;
}
function lock_on(RedisStore $s): string
{
	$l = new Lock($s, $n = uniq());
	$l->acquire();
	$GLOBALS['keep'][] = $l;
	return $n;
}

// prefix, db: where the lock key lands.
$n = lock_on(new RedisStore("$dsn?prefix=shop1:"));
echo 'prefix=shop1: ', yes(redis_raw(['EXISTS', "shop1:{{$n}}"]) === 1, 'no key'), "\n";
$n = lock_on(new RedisStore("$dsn?prefix=shop1:", ['prefix' => 'shop2:']));
echo '$options wins: ', yes(redis_raw(['EXISTS', "shop2:{{$n}}"]) === 1 && redis_raw(['EXISTS', "shop1:{{$n}}"]) === 0, 'wrong key'), "\n";
$n = lock_on(new RedisStore("$dsn?db=5&prefix=p%3Ax:"));
echo 'db=5, URL-decoded prefix p:x: ', yes(raw_in_db($port, 5, ['EXISTS', "p:x:{{$n}}"]) === 1, 'not in db 5'), "\n";
$n = lock_on(new RedisStore("unix://$sock?db=6&prefix=u:"));
echo 'unix db=6 prefix=u: ', yes(raw_in_db($port, 6, ['EXISTS', "u:{{$n}}"]) === 1, 'not in db 6'), "\n";

// user, password (ACL user of the auth server).
echo 'user+password in the query: ', var_export((new RedisStore("redis://127.0.0.1:$auth?user=shop&password=shop-pass"))->ping(), true), "\n";

// persistent: only persistent stores join the pool.
$before = pooled();
(new RedisStore("$dsn/7?persistent=0"))->ping();
$mid = pooled();
(new RedisStore("$dsn/8?persistent=1"))->ping();
echo 'persistent=0 pools nothing, persistent=1 pools one: ', yes($mid === $before && pooled() === $before + 1, "$before $mid " . pooled()), "\n";

// replicas, replica_timeout, read_timeout: the lone harness server has no replica.
foreach (['replicas=1', 'replicas=1&replica_timeout=0.25'] as $q) {
	try {
		lock_on(new RedisStore("$dsn?$q"));
		echo "$q: acquired (WRONG)\n";
	} catch (ReplicationException $e) {
		echo "$q: ", preg_match('/acknowledged by 0 of 1 replica within \d+ ms/', $e->getMessage(), $m) ? $m[0] : $e->getMessage(), "\n";
	}
}
echo 'replicas=auto: ', var_export((new Lock(new RedisStore("$dsn?replicas=auto&connect_timeout=0.5"), uniq()))->acquire(), true), "\n";
$bad = [
	"$dsn?replicas=1&replica_timeout=0.4&read_timeout=0.5",
	"$dsn?replicas=auto&read_timeout=0.25",
	"$dsn?colour=blue",
	"$dsn?prefix",
	"$dsn?prefix=a&prefix=b",
	"$dsn?connect_timeout=abc",
	"$dsn?connect_timeout=0",
	"$dsn?read_timeout=1e9",
	"$dsn?persistent=maybe",
	"$dsn?replicas=-1",
	"$dsn?replicas=65",
	"$dsn?replica_timeout=0",
	"$dsn?replica_timeout=x",
	"$dsn/2?db=3",
	"$dsn?db=100000",
	"redis://shop:pw@127.0.0.1?password=pw",
	"$dsn?prefix=" . str_repeat('p', 257),
	"$dsn?prefix=a#frag",
];
foreach ($bad as $d) {
	try {
		new RedisStore($d);
		echo "accepted: $d\n";
	} catch (ValueError | TypeError $e) {
		echo get_class($e), ': ', preg_replace('/; expected redis:.*$/', '', str_replace('PayLock\RedisStore::__construct(): ', '', $e->getMessage())), "\n";
	}
}
?>
--EXPECT--
prefix=shop1: yes
$options wins: yes
db=5, URL-decoded prefix p:x: yes
unix db=6 prefix=u: yes
user+password in the query: true
persistent=0 pools nothing, persistent=1 pools one: yes
replicas=1: acknowledged by 0 of 1 replica within 100 ms
replicas=1&replica_timeout=0.25: acknowledged by 0 of 1 replica within 250 ms
replicas=auto: true
ValueError: Argument #2 ($options) option "replica_timeout" (0.4 s) plus 0.2 s (Redis ends a WAIT on its clock tick) must fit in read_timeout (0.5 s): raise read_timeout or lower replica_timeout
ValueError: Argument #2 ($options) option "replica_timeout" (0.1 s) plus 0.2 s (Redis ends a WAIT on its clock tick) must fit in read_timeout (0.25 s): raise read_timeout or lower replica_timeout
ValueError: Argument #1 ($dsn) is not a valid DSN: unknown query parameter "colour" (known: db, user, password, connect_timeout, read_timeout, persistent, prefix, replicas, replica_timeout)
ValueError: Argument #1 ($dsn) is not a valid DSN: a query parameter has no '=' (known: db, user, password, connect_timeout, read_timeout, persistent, prefix, replicas, replica_timeout)
ValueError: Argument #1 ($dsn) is not a valid DSN: query parameter "prefix" is given twice
ValueError: Argument #1 ($dsn) is not a valid DSN: query parameter "connect_timeout" must be a number of seconds; URL-encode & = # % in values: %26 %3D %23 %25
ValueError: Argument #2 ($options) option "connect_timeout" must be greater than 0 and at most 3600 seconds
ValueError: Argument #2 ($options) option "read_timeout" must be greater than 0 and at most 3600 seconds
ValueError: Argument #1 ($dsn) is not a valid DSN: query parameter "persistent" must be 1 or 0 (true/false, on/off, yes/no); URL-encode & = # % in values: %26 %3D %23 %25
ValueError: Argument #1 ($dsn) is not a valid DSN: query parameter "replicas" must be "auto" or a number of replicas; URL-encode & = # % in values: %26 %3D %23 %25
ValueError: Argument #2 ($options) option "replicas" must be "auto" or 0 to 64
ValueError: Argument #2 ($options) option "replica_timeout" must be greater than 0 and at most 60 seconds
ValueError: Argument #1 ($dsn) is not a valid DSN: query parameter "replica_timeout" must be a number of seconds; URL-encode & = # % in values: %26 %3D %23 %25
ValueError: Argument #1 ($dsn) is not a valid DSN: query parameter "db" contradicts the database number in the DSN's path; URL-encode & = # % in values: %26 %3D %23 %25
ValueError: Argument #1 ($dsn) is not a valid DSN: query parameter "db" must be a database number from 0 to 99999; URL-encode & = # % in values: %26 %3D %23 %25
ValueError: Argument #1 ($dsn) is not a valid DSN: it gives the password twice (in user:password@ and in the query)
ValueError: Argument #2 ($options) option "prefix" must be at most 256 bytes long
ValueError: Argument #1 ($dsn) is not a valid DSN: it has a fragment (#...); URL-encode # in values as %23
