--TEST--
RedisStore wire: large idempotency results are written from where they are (writev) and a replay's string reply is read straight into its string; byte-exact at every size around the copy and read-buffer edges, through a proxy that cuts the stream into pieces of 1 to 7 bytes, and error or missing replies still go through the parser
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
use PayLock\IdempotencyGuard;

$port = (int)getenv('PAYLOCK_TEST_REDIS_PORT');
$opts = ['max_result_bytes' => 8 << 20];
$rec = fn(string $key) => "paylock:idem:{{$key}}";

/** A TCP proxy in a child process that forwards each direction in pieces of 1 to 7 bytes. */
function chopping_proxy(int $to): array
{
	$srv = stream_socket_server('tcp://127.0.0.1:0', $e, $es);
	$port = (int)substr(strrchr(stream_socket_get_name($srv, false), ':'), 1);
	$parent = getmypid();
	$pid = pcntl_fork();
	if ($pid === 0) {
		$pairs = [];
		while (posix_getppid() === $parent) { // a test that dies must not leave its proxy holding its output
			$r = [$srv];
			foreach ($pairs as [$a, $b]) {
				$r[] = $a;
				$r[] = $b;
			}
			$w = $x = null;
			if (@stream_select($r, $w, $x, 1) === false) {
				exit(0);
			}
			foreach ($r as $s) {
				if ($s === $srv) {
					$c = stream_socket_accept($srv);
					$u = stream_socket_client("tcp://127.0.0.1:$to");
					$pairs[] = [$c, $u];
					continue;
				}
				foreach ($pairs as $i => [$a, $b]) {
					if ($s !== $a && $s !== $b) {
						continue;
					}
					$data = fread($s, 65536);
					if ($data === '' || $data === false) {
						fclose($a);
						fclose($b);
						unset($pairs[$i]);
						break;
					}
					// Headers and the closing CRLFs arrive in pieces: the first 24 and last 3 bytes of each read in
					// 1 to 7 bytes, a pause after each, the middle at once.
					$peer = $s === $a ? $b : $a;
					$len = strlen($data);
					for ($o = 0; $o < $len; $o += $n) {
						$n = $o < 24 || $o >= $len - 3 ? min(mt_rand(1, 7), $o >= $len - 3 ? 1 : 24 - $o) : $len - 3 - $o;
						fwrite($peer, substr($data, $o, $n));
						fflush($peer);
						usleep($n < 8 ? 300 : 0);
					}
				}
			}
		}
		exit(0);
	}
	fclose($srv);
	register_shutdown_function(function () use ($pid, $parent) {
		if (getmypid() === $parent) {
			posix_kill($pid, SIGKILL);
			pcntl_waitpid($pid, $st);
		}
	});
	return [$port, $pid];
}

// Sizes around the inline limit and the writev threshold (16 KB encoded: the value and 4 or 5 bytes), and
// several MB.
$sizes = [16378, 16379, 16380, 16381, 16382, 16383, 16384, 16385, 65536, 1 << 20, (5 << 20) + 3];
$stores = ['direct' => redis_store()];
[$pport, $ppid] = chopping_proxy($port);
$stores['chopped'] = new PayLock\RedisStore("redis://127.0.0.1:$pport", ['read_timeout' => 20]);
foreach ($stores as $how => $store) {
	$g = new IdempotencyGuard($store, $opts);
	$bad = [];
	foreach ($sizes as $size) {
		if ($how === 'chopped' && $size > (1 << 20)) {
			continue;
		}
		$key = uniq("wire-$size");
		$v = random_bytes($size);
		try {
			$first = $g->run($key, fn() => $v);
			$again = $g->run($key, fn() => 'never');
			$g2 = new IdempotencyGuard($store, $opts); // and a replay in a guard that never saw it
			$third = $g2->run($key, fn() => 'never');
			if ($first !== $v || $again !== $v || $third !== $v) {
				$bad[] = $size;
			}
		} catch (PayLock\Exception $e) {
			$bad[] = "$size (" . get_class($e) . ': ' . substr($e->getMessage(), 0, 160) . ')';
		}
	}
	echo "$how: every size byte-exact: ", yes($bad === [], 'wrong at ' . implode(',', $bad)), "\n";
	// Many arguments in one pipeline around the edges too: a result inside an array (not a plain string).
	$key = uniq('wire-array');
	$arr = ['a' => random_bytes(70000), 'b' => [random_bytes(20000), 7, null]];
	$g->run($key, fn() => $arr);
	echo "$how: array result replayed: ", yes($g->run($key, fn() => []) === $arr, 'differs'), "\n";
}

// A replay whose GET answers an error (the value key holds a list) or nothing (the value is gone): those
// replies are not strings and go through the parser; the connection stays usable after each.
$g = new IdempotencyGuard(redis_store(), $opts);
$key = uniq('wire-wrongtype');
$g->run($key, fn() => str_repeat('x', 100000));
redis_raw(['DEL', $rec($key) . ':v']);
redis_raw(['RPUSH', $rec($key) . ':v', 'a-list']);
try {
	$g->run($key, fn() => 'never');
	echo "wrongtype: no exception\n";
} catch (PayLock\StoreException $e) {
	echo 'wrongtype: ', get_class($e), ', says WRONGTYPE: ', yes(str_contains($e->getMessage(), 'WRONGTYPE'), $e->getMessage()), "\n";
}
$key = uniq('wire-gone');
$g->run($key, fn() => str_repeat('y', 100000));
redis_raw(['DEL', $rec($key) . ':v']);
try {
	$g->run($key, fn() => 'never');
	echo "gone: no exception\n";
} catch (PayLock\StoreException $e) {
	echo 'gone: ', get_class($e), ', says damaged: ', yes(str_contains($e->getMessage(), 'damaged'), $e->getMessage()), "\n";
}
$key = uniq('wire-after');
$v = random_bytes(300000);
echo 'the connection still works after both: ', yes($g->run($key, fn() => $v) === $v && $g->run($key, fn() => '') === $v, 'no'), "\n";
?>
--EXPECT--
direct: every size byte-exact: yes
direct: array result replayed: yes
chopped: every size byte-exact: yes
chopped: array result replayed: yes
wrongtype: PayLock\StoreException, says WRONGTYPE: yes
gone: PayLock\StoreException, says damaged: yes
the connection still works after both: yes
