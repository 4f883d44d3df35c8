--TEST--
Admin listings are bounded and paginated: 10,000 held locks on Redis (SCAN, made in one Lua call) and on files, paged through with cursors, show every name exactly once with each page at most about its count; a prefix nothing matches returns within a bounded number of SCAN calls
--EXTENSIONS--
paylock
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';

$n = getenv('USE_ZEND_ALLOC') === '0' ? 2000 : 10000; // fewer under valgrind/ASAN
$p = uniq('page');

/** Pages through $admin->locks($prefix); [names seen, largest page, pages]. */
function page_all(PayLock\Admin $admin, string $prefix, int $count): array
{
	$names = [];
	$max = 0;
	$pages = 0;
	$cursor = null;
	do {
		$page = $admin->locks($prefix, $cursor, $count);
		foreach ($page['locks'] as $e) {
			$names[] = $e['name'];
		}
		$max = max($max, count($page['locks']));
		$cursor = $page['cursor'];
		$pages++;
	} while ($cursor !== null && $pages < 100000);
	return [$names, $max, $pages];
}

// Redis: $n lock values as PayLock writes them ("<token>:<pid>:<ms>:<host>"), made in one script call.
$mk = "for i = 1, tonumber(ARGV[2]) do redis.call('SET', ARGV[1] .. i .. '}', ARGV[3], 'PX', 120000) end return 1";
redis_raw(['EVAL', $mk, 0, "paylock:{{$p}:", $n, str_repeat('d', 32) . ':4242:' . (int)(microtime(true) * 1000) . ':host-a']);
$admin = new PayLock\Admin(redis_store());
$t = microtime(true);
[$names, $max, $pages] = page_all($admin, "$p:", 500);
$took = microtime(true) - $t;
$unique = array_unique($names); // SCAN may return a key twice; never leaves one out
echo 'redis: every name: ', same(count($unique), $n), "\n";
echo 'redis: exactly these: ', same(count(array_diff($unique, array_map(fn($i) => "$p:$i", range(1, $n)))), 0), "\n";
echo 'redis: pages bounded: ', yes($max <= 3 * 500, "largest page $max"), "\n";
echo 'redis: several pages: ', yes($pages >= $n / 1500, "$pages pages"), "\n";
$page = $admin->locks("nothing-matches-$p", null, 10);
echo 'redis: sparse prefix: bounded work, a cursor to go on: ', yes($page['locks'] === [] && $page['cursor'] !== null, json_encode($page)), "\n";
redis_raw(['EVAL', "for i = 1, tonumber(ARGV[2]) do redis.call('DEL', ARGV[1] .. i .. '}') end return 1", 0, "paylock:{{$p}:", $n]);

// Files: $n held locks of this process.
$store = new PayLock\FileStore(lock_dir());
$locks = [];
for ($i = 1; $i <= $n; $i++) {
	$locks[$i] = new PayLock\Lock($store, "$p:$i");
	$locks[$i]->acquire();
}
$admin = new PayLock\Admin($store);
$t = microtime(true);
[$names, $max, $pages] = page_all($admin, '', 1000);
$took = microtime(true) - $t;
sort($names);
$want = array_map(fn($i) => "$p:$i", range(1, $n));
sort($want);
echo 'files: every name once: ', same(count($names), $n), ' ', same(array_values(array_diff($want, $names)), []), "\n";
echo 'files: pages of at most the count: ', yes($max <= 1000, "largest page $max"), "\n";
echo 'files: pages: ', same($pages, $n / 1000), "\n";
[$names] = page_all($admin, "$p:99", 1000);
echo 'files: prefix: ', same(count($names), count(array_filter($want, fn($x) => str_starts_with($x, "$p:99")))), "\n";
foreach ($locks as $l) {
	$l->release();
}
?>
--EXPECT--
redis: every name: true
redis: exactly these: true
redis: pages bounded: yes
redis: several pages: yes
redis: sparse prefix: bounded work, a cursor to go on: yes
files: every name once: true true
files: pages of at most the count: yes
files: pages: true
files: prefix: true
