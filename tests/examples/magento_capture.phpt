--TEST--
Magento example: aroundCapture called concurrently for one payment sends one capture to the gateway and all get its transaction; replays, other amounts, declines, lost answers and crashes
--EXTENSIONS--
paylock
pcntl
posix
--INI--
pcre.jit=0
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
require __DIR__ . '/magento.inc';
use Magento\Framework\Exception\LocalizedException;
use PayLock\Magento\Plugin\CaptureOncePlugin;

$gateway = new FakeGateway();
$plugin = new CaptureOncePlugin(example_store());

/** Attempt numbers (claim times in µs) as #1, #2... in order of first use per payment: repeats stay visible. */
function attempts(string $s): string
{
	static $seen = [];
	return preg_replace_callback('/capture-(\d+)-(\d+)/', function ($m) use (&$seen) {
		$seen[$m[1]] ??= [];
		$i = array_search($m[2], $seen[$m[1]], true);
		if ($i === false) {
			$seen[$m[1]][] = $m[2];
			$i = count($seen[$m[1]]) - 1;
		}
		return "capture-{$m[1]}-#" . ($i + 1);
	}, $s);
}

function attempt(string $what, callable $fn): void
{
	try {
		$fn();
		echo "$what: ok\n";
	} catch (Exception $e) {
		echo "$what: ", get_class($e), ': ', preg_replace('/Attempt \d+ of/', 'Attempt N of', $e->getMessage()), "\n";
	}
}

// Admins, queued jobs and a retried request capture payment 7 at once.
$n = procs(20, 6);
$start = microtime(true) + 0.4;
$got = fork_workers($n, function () use ($gateway, $start) {
	$plugin = new CaptureOncePlugin(example_store());
	$payment = new FakePayment(7, new FakeOrder(70));
	usleep(max(0, (int)(($start - microtime(true)) * 1e6))); // a late starter (valgrind) just goes
	$returned = capture($plugin, $gateway, $payment, 19.99);
	return [$returned === $gateway, $payment->getTransactionId()];
});
printf("%d captures: gateway called %d time(s) with %s, %d distinct outcome(s): %s\n", $n, count($gateway->calls()),
	attempts(implode(',', $gateway->calls())), count(array_unique(array_map('serialize', $got))), attempts(json_encode($got[0])));

// Later: the invoice's transaction had rolled back, Magento captures again.
$payment = new FakePayment(7, new FakeOrder(70));
capture($plugin, $gateway, $payment, '19.9900');
printf("replay: transaction %s, gateway calls %d\n", attempts($payment->getTransactionId()), count($gateway->calls()));
attempt('another amount', fn () => capture($plugin, $gateway, new FakePayment(7, new FakeOrder(70)), 5.00));

// A decline abandons the attempt; the next capture is a new attempt, a new request for the gateway.
$gateway->answer = 'decline';
attempt('declined', fn () => capture($plugin, $gateway, new FakePayment(8, new FakeOrder(80)), 10));
$gateway->answer = 'ok';
attempt('after the decline', fn () => capture($plugin, $gateway, new FakePayment(8, new FakeOrder(80)), 10));

// No answer: nobody knows whether money moved, so nothing is sent again until someone has checked.
$gateway->answer = 'timeout';
attempt('no answer', fn () => capture($plugin, $gateway, new FakePayment(9, new FakeOrder(90)), 10));
$gateway->answer = 'ok';
attempt('retry', fn () => capture($plugin, $gateway, new FakePayment(9, new FakeOrder(90)), 10));
(new PayLock\IdempotencyGuard(example_store(), ['scope' => 'magento']))->forget('capture:9'); // checked: not charged
attempt('after forget()', fn () => capture($plugin, $gateway, new FakePayment(9, new FakeOrder(90)), 10));

// The process dies of a fatal error while the gateway call is in flight.
$gateway->answer = 'die';
$pid = pcntl_fork();
if ($pid === 0) {
	ini_set('display_errors', '0');
	capture(new CaptureOncePlugin(example_store()), $gateway, new FakePayment(10, new FakeOrder(100)), 10);
}
pcntl_waitpid($pid, $status);
$gateway->answer = 'ok';
attempt('after a crash', fn () => capture($plugin, $gateway, new FakePayment(10, new FakeOrder(100)), 10));

// Someone else holds the order (its webhook handler): the capture waits for it, then gives up.
$busy = new PayLock\Lock(example_store(), 'order:110');
$busy->acquire();
$impatient = new CaptureOncePlugin(example_store(), 'magento', 0.2);
attempt('order busy', fn () => capture($impatient, $gateway, new FakePayment(11, new FakeOrder(110)), 10));
$busy->release();
echo "gateway calls: ", attempts(implode(',', $gateway->calls())), "\n";
?>
--EXPECTF--
%d captures: gateway called 1 time(s) with capture-7-#1, 1 distinct outcome(s): [true,"txn-capture-7-#1"]
replay: transaction txn-capture-7-#1, gateway calls 1
another amount: Magento\Framework\Exception\LocalizedException: Payment 7 was already captured for another amount.
declined: Magento\Payment\Gateway\Command\CommandException: The card was declined.
after the decline: ok
no answer: RuntimeException: No answer from the gateway in 30 s.
retry: Magento\Framework\Exception\LocalizedException: The capture may or may not have been made (Attempt N of idempotency key "capture:9" was marked outcome unknown (markUnknown() or an unknown_on exception): it may have taken effect. Reconcile it, then forget() the key). Check the transaction at the gateway, record it, then forget idempotency key "capture:9" before capturing again.
after forget(): ok
after a crash: Magento\Framework\Exception\LocalizedException: The capture may or may not have been made (Attempt N of idempotency key "capture:10" died mid-step, so its outcome is unknown (after_crash: throw). Reconcile it, then forget() the key). Check the transaction at the gateway, record it, then forget idempotency key "capture:10" before capturing again.
order busy: PayLock\LockTimeoutException: %s
gateway calls: capture-7-#1,capture-8-#1,capture-8-#2,capture-9-#1,capture-9-#2,capture-10-#1
