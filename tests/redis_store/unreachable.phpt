--TEST--
RedisStore: unreachable server (refused, connect timeout, read timeout) gives a ConnectionException within the timeout
--EXTENSIONS--
paylock
--FILE--
<?php
// A port nobody listens on: refused at once.
$s = stream_socket_server('tcp://127.0.0.1:0');
$port = (int)explode(':', stream_socket_get_name($s, false))[1];
fclose($s);
$t = microtime(true);
try {
	(new PayLock\RedisStore("redis://127.0.0.1:$port"))->ping();
} catch (PayLock\ConnectionException $e) {
	echo str_replace($port, 'PORT', $e->getMessage()), "\n";
}
var_dump(microtime(true) - $t < 0.5);

// A server that accepts and never answers: the read timeout bounds the wait, and the lock says so.
$srv = stream_socket_server('tcp://127.0.0.1:0');
$port = (int)explode(':', stream_socket_get_name($srv, false))[1];
$l = new PayLock\Lock(new PayLock\RedisStore("redis://127.0.0.1:$port", ['read_timeout' => 0.3]), 'x');
$t = microtime(true);
try {
	$l->acquire();
} catch (PayLock\ConnectionException $e) {
	echo str_replace($port, 'PORT', $e->getMessage()), "\n";
}
$dt = microtime(true) - $t;
var_dump($dt >= 0.29 && $dt < 1.5);

// A listener whose accept queue is full: connect() itself hangs, so connect_timeout bounds it.
$ctx = stream_context_create(['socket' => ['backlog' => 0]]);
$full = stream_socket_server('tcp://127.0.0.1:0', $errno, $errstr, STREAM_SERVER_BIND | STREAM_SERVER_LISTEN, $ctx);
$port = (int)explode(':', stream_socket_get_name($full, false))[1];
$fill = [];
for ($i = 0; $i < 4; $i++) {
	$fill[] = @stream_socket_client("tcp://127.0.0.1:$port", $e, $es, 0.2, STREAM_CLIENT_CONNECT | STREAM_CLIENT_ASYNC_CONNECT);
}
$t = microtime(true);
try {
	(new PayLock\RedisStore("redis://127.0.0.1:$port", ['connect_timeout' => 0.3, 'read_timeout' => 0.3]))->ping();
	echo "connected\n";
} catch (PayLock\ConnectionException $e) {
	echo "ConnectionException\n";
}
$dt = microtime(true) - $t;
var_dump($dt < 1.5);
?>
--EXPECT--
Cannot connect to Redis at 127.0.0.1:PORT: Connection refused
bool(true)
Redis at 127.0.0.1:PORT: read timed out
bool(true)
ConnectionException
bool(true)
