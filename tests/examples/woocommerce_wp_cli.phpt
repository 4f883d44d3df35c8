--TEST--
WooCommerce example: `wp paylock` (against stubs of the WP-CLI classes) is registered under WP-CLI, lists this site's events whose outcome is unknown (a request killed mid-step) and not another site's, and resolves them: --paid makes later deliveries answer 200 without completing the order again, --not-paid lets the next delivery complete it; bad input is a WP-CLI error
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
require __DIR__ . '/stubs/wp_cli.php';
require __DIR__ . '/../../examples/woocommerce/paylock-gateway.php';
do_action('plugins_loaded');
require __DIR__ . '/woocommerce.inc';

echo 'registered: ', same(WP_CLI::$commands, ['paylock' => 'PayLock_CLI_Command']), "\n";
$orders = new FileOrders();
$home = 'https://shop.example';
$cmd = new PayLock_CLI_Command(example_store(), PayLock_Webhook_Handler::site_scope($home, 1));

/** Delivers $event in a request that dies inside payment_complete() (order $id crashes there). */
function crash(FileOrders $orders, int $id, array $event, string $home): void
{
	$orders->create($id, 0.0, true);
	$pid = pcntl_fork();
	if ($pid === 0) {
		woo_handler($orders, 1, 5.0, $home)->handle($event);
	}
	pcntl_waitpid($pid, $status);
	$orders->create($id, 0.0, false); // the order itself is fine again; the event's outcome is unknown
}
function wp(PayLock_CLI_Command $cmd, string $sub, array $args = [], array $assoc = []): void
{
	try {
		$cmd->$sub($args, $assoc);
	} catch (WP_CLI_Test_Exit) {
	}
}

$paid = woo_event(uniq('evt'), 1, 'txn_1');
$unpaid = woo_event(uniq('evt'), 2, 'txn_2');
$other = woo_event(uniq('evt'), 3, 'txn_3');
crash($orders, 1, $paid, $home);
crash($orders, 2, $unpaid, $home);
crash(new FileOrders(), 3, $other, 'https://staging.shop.example'); // another site on the same Redis
$completions = $orders->completions();
$status = woo_handler($orders)->handle($paid)->status;
echo 'before: ', $status, "\n";

ob_start();
wp($cmd, 'events', [], ['format' => 'json']);
$listed = json_decode(ob_get_clean(), true);
$events = array_column($listed, 'state', 'event');
ksort($events);
$want = [$paid['id'] => 'crashed', $unpaid['id'] => 'crashed'];
ksort($want);
echo 'listed: ', same($events, $want), "\n";
wp($cmd, 'events', [], ['state' => 'done', 'format' => 'count']);

wp($cmd, 'resolve', [$paid['id']], ['paid' => true, 'data' => json_encode($paid['data'])]);
$r = woo_handler($orders)->handle($paid);
echo 'paid event redelivered: ', $r->status, ' ', json_encode($r->body), "\n";
wp($cmd, 'resolve', [$unpaid['id']], ['not-paid' => true]);
$r = woo_handler($orders)->handle($unpaid);
echo 'unpaid event redelivered: ', $r->status, ' ', json_encode($r->body), "\n";
echo 'completed again: ', $orders->completions() - $completions, " (the unpaid order only)\n";
wp($cmd, 'events', [], ['format' => 'count']);

wp($cmd, 'resolve', [$paid['id']], []);
wp($cmd, 'resolve', [$paid['id']], ['paid' => true, 'not-paid' => true]);
wp($cmd, 'resolve', [$paid['id']], ['paid' => true, 'data' => '{"order_id":"x"}']);
wp($cmd, 'events', [], ['state' => 'lost']);
?>
--EXPECTF--
registered: true
log: order 1 needs checking by hand: %s
before: 500
listed: true
0
Success: Event %s marked done: later deliveries are answered without acting again.
paid event redelivered: 200 {"order":1,"status":"processing","paid_now":false,"resolved_by":"wp paylock"}
Success: Event %s forgotten: the gateway's next delivery completes the order.
unpaid event redelivered: 200 {"order":2,"status":"processing","paid_now":true}
completed again: 1 (the unpaid order only)
0
Error: Say what the reconciliation found: --paid (with --data) or --not-paid.
Error: Say what the reconciliation found: --paid (with --data) or --not-paid.
Error: --paid needs --data=<json>: the event's data object, with its order_id and transaction_id.
Error: Unknown --state=lost: use crashed, unknown, unstored, running, done, abandoned or all.
