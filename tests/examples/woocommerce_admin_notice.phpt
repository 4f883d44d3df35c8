--TEST--
WooCommerce example: when the PayLock extension or WooCommerce is missing the gateway stays off and administrators get an admin notice saying what to install (customers see nothing); with both it registers without a notice
--EXTENSIONS--
paylock
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
// Each case is a PHP process of its own: with or without the extension (-n: nothing else loaded either).
$ext = dirname(__DIR__, 2) . '/modules/paylock.so';
foreach ([['paylock', 'wc', 'admin'], ['paylock', 'nowc', 'admin'], ['none', 'wc', 'admin'], ['none', 'nowc', 'admin'],
		['none', 'nowc', 'customer']] as [$with, $wc, $who]) {
	$cmd = [PHP_BINARY, '-n'];
	if ($with === 'paylock') {
		array_push($cmd, '-d', "extension=$ext");
	}
	array_push($cmd, __DIR__ . '/wp_plugin.inc', $wc, $who);
	$p = proc_open($cmd, [1 => ['pipe', 'w'], 2 => ['pipe', 'w']], $pipes);
	$out = stream_get_contents($pipes[1]) . stream_get_contents($pipes[2]);
	proc_close($p);
	echo "== extension: $with, woocommerce: $wc, $who\n", $out;
}
?>
--EXPECT--
== extension: paylock, woocommerce: wc, admin
notice: (none)
gateways: ["WC_Gateway_PayLock"]
== extension: paylock, woocommerce: nowc, admin
notice: <div class="notice notice-error"><p>PayLock Gateway Example is inactive: it needs the WooCommerce plugin (install and activate it).</p></div>
gateways: []
== extension: none, woocommerce: wc, admin
notice: <div class="notice notice-error"><p>PayLock Gateway Example is inactive: it needs the PayLock PHP extension (pecl install paylock, then extension=paylock.so in PHP-FPM&#039;s php.ini and a PHP-FPM restart).</p></div>
gateways: []
== extension: none, woocommerce: nowc, admin
notice: <div class="notice notice-error"><p>PayLock Gateway Example is inactive: it needs the PayLock PHP extension (pecl install paylock, then extension=paylock.so in PHP-FPM&#039;s php.ini and a PHP-FPM restart) and the WooCommerce plugin (install and activate it).</p></div>
gateways: []
== extension: none, woocommerce: nowc, customer
notice: (none)
gateways: []
