--TEST--
WooCommerce example: answers 200 with the stored result to duplicates, 409 while in progress, 422 for a reused event id, 500 and a log line after a crash mid-step, 404 (not recorded) for an unknown order; event ids are scoped per blog
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

function show(string $what, PayLock_Webhook_Response $r): void
{
	echo "$what: $r->status ", json_encode($r->body), "\n";
}

$orders = new FileOrders();
$handler = woo_handler($orders);
$orders->create(1);
$event = woo_event(uniq('evt'), 1);
show('first delivery', $handler->handle($event));
$event['delivery_attempt'] = 2;
show('redelivery', $handler->handle($event));
show('same id, other amount', $handler->handle(woo_event($event['id'], 1, 'txn_1', 1)));
show('return page afterwards', new PayLock_Webhook_Response(200, $handler->complete_order(1, 'txn_1')));
echo "completions: ", $orders->completions(), "\n";

// Another blog of the network, same gateway account: its own event, although the id is the same.
$blog2 = new FileOrders();
$blog2->create(1);
show('blog 2, same event id', woo_handler($blog2, 2)->handle(woo_event($event['id'], 1, 'txn_9', 500)));

// A slow first delivery: an impatient duplicate gets 409, a patient one the result.
$orders->create(2, 0.8);
$slow = woo_event(uniq('evt'), 2, 'txn_2');
$pid = pcntl_fork();
if ($pid === 0) {
	woo_handler($orders)->handle($slow);
	posix_kill(getmypid(), SIGKILL);
}
usleep(300000);
show('while running, wait 0.1 s', woo_handler($orders, 1, 0.1)->handle($slow));
show('while running, wait 5 s', woo_handler($orders, 1, 5.0)->handle($slow));
pcntl_waitpid($pid, $status);

// The request dies inside payment_complete(): nobody knows what it did, so it is not run again.
$orders->create(3, 0.0, true);
$crash = woo_event(uniq('evt'), 3, 'txn_3');
$pid = pcntl_fork();
if ($pid === 0) {
	woo_handler($orders)->handle($crash);
}
pcntl_waitpid($pid, $status);
show('after a crash', $handler->handle($crash));
show('and again', $handler->handle($crash));
echo "completions: ", $orders->completions(), "\n";

// An event that is faster than the order's commit: 404, and the gateway's retry runs it.
$early = woo_event(uniq('evt'), 4, 'txn_4');
show('unknown order', $handler->handle($early));
$orders->create(4);
show('retry', $handler->handle($early));

show('no id', $handler->handle(['type' => 'payment.succeeded']));
show('other type', $handler->handle(['id' => uniq('evt'), 'type' => 'charge.refunded']));
show('no order', $handler->handle(['id' => uniq('evt'), 'type' => 'payment.succeeded', 'data' => []]));
?>
--EXPECTF--
first delivery: 200 {"order":1,"status":"processing","paid_now":true}
redelivery: 200 {"order":1,"status":"processing","paid_now":true}
same id, other amount: 422 {"error":"event evt:%s was received before with other content"}
return page afterwards: 200 {"order":1,"status":"processing","paid_now":false}
completions: 1
blog 2, same event id: 200 {"order":1,"status":"processing","paid_now":true}
while running, wait 0.1 s: 409 {"error":"in progress, retry later"}
while running, wait 5 s: 200 {"order":2,"status":"processing","paid_now":true}
log: order 3 needs checking by hand: Attempt %d of idempotency key "evt:%s" died mid-step, so its outcome is unknown (after_crash: throw). Reconcile it, then forget() the key
after a crash: 500 {"error":"outcome unknown, the shop is checking"}
log: order 3 needs checking by hand: %s
and again: 500 {"error":"outcome unknown, the shop is checking"}
completions: 3
unknown order: 404 {"error":"no order 4"}
retry: 200 {"order":4,"status":"processing","paid_now":true}
no id: 400 {"error":"event without an id"}
other type: 200 {"ignored":true}
no order: 400 {"error":"event without an order or a transaction"}
