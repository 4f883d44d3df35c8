<?php

/**
 * Plugin Name:       PayLock Gateway Example
 * Description:       A hosted-page payment gateway whose webhooks and customer returns are made race-free
 *                    with the PayLock extension: each gateway event is acted on once, each order completed once.
 * Version:           0.1.0
 * Requires at least: 6.0
 * Requires PHP:      8.2
 * Requires Plugins:  woocommerce
 * License:           MIT
 */

defined('ABSPATH') || exit;

add_action('plugins_loaded', static function (): void {
    // Without WooCommerce there is nothing to extend; without the extension nothing would be protected.
    if (!class_exists('WC_Payment_Gateway') || !extension_loaded('paylock')) {
        return;
    }
    require_once __DIR__ . '/includes/class-paylock-webhook-handler.php';
    require_once __DIR__ . '/includes/class-paylock-wc-order.php';
    require_once __DIR__ . '/includes/class-paylock-wc-order-repository.php';
    require_once __DIR__ . '/includes/class-wc-gateway-paylock.php';

    add_filter('woocommerce_payment_gateways', static function (array $gateways): array {
        $gateways[] = 'WC_Gateway_PayLock';
        return $gateways;
    });
});
