--TEST--
WooCommerce example: 20 concurrent deliveries of one gateway event complete the order once and all get the same answer; webhooks racing the return page complete it once
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
require __DIR__ . '/woocommerce.inc';

$n = procs(20, 6);
$orders = new FileOrders();
$orders->create(101);
$event = woo_event(uniq('evt'), 101);
$start = microtime(true) + 0.4;
$got = fork_workers($n, function ($i) use ($orders, $event, $start) {
	$event['delivery_attempt'] = $i + 1; // redeliveries restamp the envelope, not the payment
	$handler = woo_handler($orders);
	usleep(max(0, (int)(($start - microtime(true)) * 1e6))); // a late starter (valgrind) just goes
	$r = $handler->handle($event);
	return [$r->status, $r->body];
});
printf("%d deliveries: order completed %d time(s), %d distinct answer(s)\n", $n, $orders->completions(),
	count(array_unique(array_map('serialize', $got))));
echo json_encode($got[0]), "\n";

// The customer's return page and the gateway's deliveries arrive together for order 102.
$orders->create(102);
$event = woo_event(uniq('evt'), 102, 'txn_2');
$start = microtime(true) + 0.4;
$got = fork_workers($n, function ($i) use ($orders, $event, $start) {
	$handler = woo_handler($orders);
	usleep(max(0, (int)(($start - microtime(true)) * 1e6))); // a late starter (valgrind) just goes
	return $i % 2 ? $handler->handle($event)->body : $handler->complete_order(102, 'txn_2');
});
printf("webhooks and returns: order completed %d time(s), status %s\n", $orders->completions() - 1,
	$orders->find(102)->get_status());
?>
--EXPECTF--
%d deliveries: order completed 1 time(s), 1 distinct answer(s)
[200,{"order":101,"status":"processing","paid_now":true}]
webhooks and returns: order completed 1 time(s), status processing
