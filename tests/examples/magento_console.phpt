--TEST--
Magento example: `bin/magento paylock` (PayLockCommand, against stubs of symfony/console) lists held locks and their waiters, force-releases one to its waiter, lists the capture plugin's records by state and resolves an outcome-unknown capture (resolve: later captures replay the reconciled transaction without calling the gateway; forget: the next capture calls it); exit codes 0/1/2/3
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
require __DIR__ . '/../_support/admin.inc';
require __DIR__ . '/stubs/symfony_console.php';
require __DIR__ . '/magento.inc';
require __DIR__ . '/../../examples/magento/Console/Command/PayLockCommand.php';
use PayLock\Magento\Console\Command\PayLockCommand;
use PayLock\Magento\Plugin\CaptureOncePlugin;
use Symfony\Component\Console\Input\ArrayInput;
use Symfony\Component\Console\Output\BufferedOutput;

$cmd = new PayLockCommand(example_store());
$out = new BufferedOutput();
function magento(PayLockCommand $cmd, BufferedOutput $out, array $input): array
{
	$rc = $cmd->run(new ArrayInput($input), $out);
	$text = $out->fetch();
	return [$rc, isset($input['--json']) ? json_decode($text, true) : $text];
}
echo 'name: ', $cmd->getName(), "\n";

// A cron group's lock held here, a second cron process waiting for it.
$lock = new PayLock\Lock(example_store(), 'cron:index', 300);
$lock->acquire();
$kid = spawn(function () {
	$l = new PayLock\Lock(example_store(), 'cron:index', 300);
	$h = PayLock\stats()['handoffs'];
	$ok = $l->acquire(120);
	$l->release();
	return [$ok, PayLock\stats()['handoffs'] - $h];
});
wait_until(fn() => magento($cmd, $out, ['action' => 'queue', 'name' => 'cron:index'])[0] === 0);
[$rc, $d] = magento($cmd, $out, ['action' => 'locks', '--prefix' => 'cron:', '--json' => true]);
echo 'locks: ', same([$rc, array_column($d, 'name'), $d[0]['holder']['pid'] ?? null, $d[0]['queue'] ?? null], [0, ['cron:index'], getmypid(), 1]), "\n";
[$rc, $text] = magento($cmd, $out, ['action' => 'release', 'name' => 'cron:index']);
echo 'release: ', $rc, ' ', str_replace([(string)getmypid(), php_uname('n')], ['PID', 'HOST'], $text);
echo 'the waiter got it, handed over: ', same(reap($kid), [true, 1]), "\n";
echo 'the old holder knows: ', same($lock->isAcquired(), false), "\n";
[$rc, $text] = magento($cmd, $out, ['action' => 'release', 'name' => 'cron:index']);
echo 'release again: ', $rc, ' ', $text;

// A capture whose answer was lost: outcome unknown, and two more that did not happen.
$gateway = new FakeGateway(0.0);
$plugin = new CaptureOncePlugin(example_store());
$gateway->answer = 'timeout';
foreach ([21, 22] as $id) {
	try {
		capture($plugin, $gateway, new FakePayment($id, new FakeOrder($id * 10)), 10);
	} catch (RuntimeException) {
	}
}
$gateway->answer = 'ok';
[$rc, $d] = magento($cmd, $out, ['action' => 'keys', '--state' => 'unknown', '--json' => true]);
$keys = array_column($d, 'key');
sort($keys);
echo 'unknown captures: ', same([$rc, $keys], [0, ['capture:21', 'capture:22']]), "\n";

// Checked at the gateway: 21 was charged (transaction txn-21), 22 was not.
[$rc, $text] = magento($cmd, $out, ['action' => 'resolve', 'name' => 'capture:21', '--result' => '{"txn":"txn-21"}']);
echo 'resolve: ', $rc, ' ', $text;
[$rc, $text] = magento($cmd, $out, ['action' => 'forget', 'name' => 'capture:22']);
echo 'forget: ', $rc, ' ', $text;
$calls = count($gateway->calls());
$p21 = new FakePayment(21, new FakeOrder(210));
capture($plugin, $gateway, $p21, 10);
echo 'capture 21 replays the reconciled transaction: ', same([$p21->getTransactionId(), count($gateway->calls()) - $calls], ['txn-21', 0]), "\n";
$p22 = new FakePayment(22, new FakeOrder(220));
capture($plugin, $gateway, $p22, 10);
echo 'capture 22 is sent again: ', same(count($gateway->calls()) - $calls, 1), "\n";
[$rc, $d] = magento($cmd, $out, ['action' => 'keys', '--state' => 'unknown', '--json' => true]);
echo 'none unknown now: ', same([$rc, $d], [0, []]), "\n";

foreach ([['action' => 'frob'], ['action' => 'queue'], ['action' => 'resolve', 'name' => 'k'],
		['action' => 'resolve', 'name' => 'k', '--result' => '{bad'], ['action' => 'keys', '--state' => 'lost']] as $in) {
	[$rc, $text] = magento($cmd, $out, $in);
	echo json_encode($in), ' => ', $rc, ': ', $text;
}
$file = new PayLockCommand(new PayLock\FileStore(lock_dir()));
[$rc, $text] = magento($file, $out, ['action' => 'release', 'name' => 'cron:index']);
echo 'file store release => ', $rc, ': ', substr($text, 0, 40), "\n";
?>
--EXPECT--
name: paylock
locks: true
release: 0 released from HOST pid PID
the waiter got it, handed over: true
the old holder knows: true
release again: 1 nobody held it
unknown captures: true
resolve: 0 resolved: capture:21
forget: 0 forgotten: capture:22
capture 21 replays the reconciled transaction: true
capture 22 is sent again: true
none unknown now: true
{"action":"frob"} => 2: Unknown action "frob": use locks, queue, release, keys, forget, resolve
{"action":"queue"} => 2: paylock queue needs a name or key
{"action":"resolve","name":"k"} => 2: paylock resolve needs --result=JSON: the result the reconciliation found
{"action":"resolve","name":"k","--result":"{bad"} => 2: Syntax error
{"action":"keys","--state":"lost"} => 2: PayLock\Admin::records(): Argument #1 ($state) must be null or one of running, crashed, unknown, unstored, done, abandoned, damaged
file store release => 3: file cannot force a release: a flock bel
