--TEST--
WooCommerce example: two sites with different URLs (production and staging, both blog 1) on one Redis never replay each other's events, also under concurrent deliveries; the scope comes from home_url() and the blog id and a filter can set it; orders sharing a product, and a stock sync writing the same product, lose no stock update under the product locks
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
require __DIR__ . '/stubs/wordpress.php';
require __DIR__ . '/stubs/woocommerce.php';
require __DIR__ . '/../../examples/woocommerce/paylock-gateway.php';
do_action('plugins_loaded');
require __DIR__ . '/woocommerce.inc';

/** The handler as the gateway builds it on the site $GLOBALS['wp_test_site'] describes. */
function site_handler(string $home, FileOrders $orders): PayLock_Webhook_Handler
{
	$GLOBALS['wp_test_site'] = ['home_url' => $home, 'blog_id' => 1, 'admin' => false];
	return new PayLock_Webhook_Handler(example_store(), paylock_gateway_scope(), $orders, fn(string $m) => print("log: $m\n"));
}

$prod = new FileOrders();
$staging = new FileOrders();
$prod->create(1);
$staging->create(1);
$event = woo_event(uniq('evt'), 1); // one gateway test account behind both sites: same event ids
$r = site_handler('https://staging.shop.example', $staging)->handle($event);
echo 'staging: ', $r->status, ' ', json_encode($r->body), "\n";
$r = site_handler('https://shop.example/', $prod)->handle($event);
echo 'production, same event: ', $r->status, ' ', json_encode($r->body), "\n";
$r = site_handler('https://shop.example', $prod)->handle($event);
echo 'production again: ', $r->status, ' ', json_encode($r->body), "\n";
echo 'completions: production ', $prod->completions(), ', staging ', $staging->completions(), "\n";
$GLOBALS['wp_test_site']['home_url'] = 'https://shop.example';
$a = paylock_gateway_scope();
$GLOBALS['wp_test_site']['home_url'] = 'https://staging.shop.example';
$b = paylock_gateway_scope();
echo 'scopes differ: ', yes($a !== $b, "both $a"), ', brace-free: ', yes(strpbrk($a . $b, '{}') === false, "$a, $b"), "\n";
add_filter('paylock_idempotency_scope', fn(string $scope) => 'staging-eu');
echo 'filter sets it: ', paylock_gateway_scope(), "\n";
$GLOBALS['wp_test_hooks']['paylock_idempotency_scope'] = [];

// Concurrent deliveries of one event id to both sites: each site completes its order once.
$prod->create(2);
$staging->create(2);
$event = woo_event(uniq('evt'), 2, 'txn_2');
$start = microtime(true) + 0.3;
$got = fork_workers(procs(10, 4), function ($i) use ($prod, $staging, $event, $start) {
	$h = $i % 2 ? site_handler('https://shop.example', $prod) : site_handler('https://staging.shop.example', $staging);
	usleep(max(0, (int)(($start - microtime(true)) * 1e6))); // a late starter (valgrind) just goes
	return $h->handle($event)->status;
});
echo 'concurrent: answers ', implode(',', array_unique($got)), ', completions: production ', $prod->completions() - 1, ', staging ', $staging->completions() - 1, "\n";

// Six orders share product 7 (two also have product 8); a stock sync adds to product 7 meanwhile.
$shop = new FileOrders();
$shop->set_stock(7, 100);
$shop->set_stock(8, 50);
foreach (range(11, 16) as $id) {
	$shop->create($id, 0.0, false, $id % 3 ? [7 => 1] : [7 => 1, 8 => 2]);
}
$tag = uniq('stock-evt');
$start = microtime(true) + 0.3;
$got = fork_workers(procs(8, 4), function ($i) use ($shop, $start, $tag) {
	$h = site_handler('https://shop.example', $shop);
	usleep(max(0, (int)(($start - microtime(true)) * 1e6))); // a late starter (valgrind) just goes
	if ($i < 2) { // the stock sync: read-then-write under the product lock
		for ($k = 0; $k < 3; $k++) {
			$h->update_stock(7, fn(int $p) => $shop->stock($p), fn(int $p, ?int $s) => $shop->set_stock($p, $s), fn(?int $s) => $s + 10);
		}
		return 'sync';
	}
	$ids = $i < 4 ? range(11, 16) : array_reverse(range(11, 16)); // overlapping deliveries
	$out = [];
	foreach ($ids as $id) {
		$out[] = $h->handle(woo_event("$tag-$id", $id, "txn_$id"))->status;
	}
	return implode(',', array_unique($out));
});
echo 'stock run: ', implode(' ', array_unique($got)), "\n";
echo 'product 7: ', $shop->stock(7), ' (100 - 6 sold + 60 synced = 154), product 8: ', $shop->stock(8), ' (50 - 2 x 2 = 46), completions: ', $shop->completions(), "\n";
?>
--EXPECT--
staging: 200 {"order":1,"status":"processing","paid_now":true}
production, same event: 200 {"order":1,"status":"processing","paid_now":true}
production again: 200 {"order":1,"status":"processing","paid_now":true}
completions: production 1, staging 1
scopes differ: yes, brace-free: yes
filter sets it: staging-eu
concurrent: answers 200, completions: production 1, staging 1
stock run: sync 200
product 7: 154 (100 - 6 sold + 60 synced = 154), product 8: 46 (50 - 2 x 2 = 46), completions: 6
