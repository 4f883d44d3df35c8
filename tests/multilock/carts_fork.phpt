--TEST--
MultiLock: 16 forked processes buy overlapping carts (and single items through Lock) on Redis and on files: no deadlock, no oversell, totals exact
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
over_multilock_names(); // over a cluster without cross-slot MultiLock: one hash tag per test
$procs = procs(16, 6);
$carts = 25;
$products = 6;
$stock = 40; // demand is about 16 x 25 x 2.3 / 6 = 150 per product: most sell out
foreach (['redis', 'file'] as $kind) {
	$dir = lock_dir();
	mkdir($dir, 0700, true);
	$p = uniq('sku');
	for ($k = 0; $k < $products; $k++) {
		file_put_contents("$dir/stock$k", (string)$stock);
	}
	$r = fork_workers($procs, function (int $i) use ($kind, $dir, $p, $carts, $products) {
		$store = $kind === 'redis' ? redis_store() : new PayLock\FileStore($dir . '/locks');
		mt_srand($i);
		$bought = 0;
		for ($c = 0; $c < $carts; $c++) {
			// every 4th process buys single items through Lock, the others carts of 2-3 products
			$want = array_rand(array_flip(range(0, $products - 1)), $i % 4 === 3 ? 1 : mt_rand(2, 3));
			$want = (array) $want;
			shuffle($want); // cart order is random; MultiLock sorts
			$names = array_map(fn($k) => "$p:$k", $want);
			$lock = count($names) === 1 ? new PayLock\Lock($store, $names[0], 10) : new PayLock\MultiLock($store, $names, 10);
			$lock->acquireOrFail(60);
			$levels = array_map(fn($k) => (int)file_get_contents("$dir/stock$k"), $want);
			if (min($levels) > 0) {
				foreach ($want as $j => $k) {
					usleep(100); // the read-modify-write gap carts lose stock to
					file_put_contents("$dir/stock$k", (string)($levels[$j] - 1));
					tally("$dir/sold$k");
				}
				$bought++;
			}
			if (!$lock->release()) {
				throw new RuntimeException('release: not ours');
			}
		}
		return $bought;
	});
	$errors = array_filter($r, 'is_string');
	$ok = true;
	$sold = 0;
	for ($k = 0; $k < $products; $k++) {
		$left = (int)file_get_contents("$dir/stock$k");
		$n = tally_count("$dir/sold$k");
		$sold += $n;
		if ($left < 0 || $stock - $left !== $n) {
			$ok = false;
			echo "product $k: left $left, sold $n\n";
		}
	}
	printf("%s: errors %d, stock never negative and sold = taken: %s, something sold: %s\n", $kind,
		count($errors), yes($ok, "$kind: see the product lines above"), yes($sold > 0, "$kind sold $sold"));
	foreach ($errors as $e) {
		echo "  $e\n";
	}
}
?>
--EXPECT--
redis: errors 0, stock never negative and sold = taken: yes, something sold: yes
file: errors 0, stock never negative and sold = taken: yes, something sold: yes
