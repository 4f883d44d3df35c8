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

/**
 * This site's idempotency scope: its home URL and blog id (see PayLock_Webhook_Handler::site_scope() for
 * why: staging and production sharing one Redis would otherwise replay each other's gateway events).
 * A staging copy that keeps production's URL must set its own with the paylock_idempotency_scope filter.
 */
function paylock_gateway_scope(): string
{
    return (string) apply_filters(
        'paylock_idempotency_scope',
        PayLock_Webhook_Handler::site_scope(home_url(), get_current_blog_id())
    );
}

/** What keeps the gateway from loading, for the admin notice; empty when it can load. */
function paylock_gateway_missing(): array
{
    $missing = [];
    if (!extension_loaded('paylock')) {
        $missing[] = 'the PayLock PHP extension (pecl install paylock, then extension=paylock.so in PHP-FPM\'s php.ini and a PHP-FPM restart)';
    }
    if (!class_exists('WC_Payment_Gateway')) {
        $missing[] = 'the WooCommerce plugin (install and activate it)';
    }
    return $missing;
}

add_action('plugins_loaded', static function (): void {
    // Without WooCommerce there is nothing to extend; without the extension nothing would be protected.
    // Either way the gateway stays off, and administrators are told why instead of seeing it vanish.
    $missing = paylock_gateway_missing();
    if ($missing !== []) {
        add_action('admin_notices', static function () use ($missing): void {
            if (!current_user_can('activate_plugins')) {
                return;
            }
            printf(
                '<div class="notice notice-error"><p>%s</p></div>',
                esc_html('PayLock Gateway Example is inactive: it needs ' . implode(' and ', $missing) . '.')
            );
        });
        return;
    }
    require_once __DIR__ . '/includes/class-paylock-webhook-handler.php';
    require_once __DIR__ . '/includes/class-paylock-wc-order.php';
    require_once __DIR__ . '/includes/class-paylock-wc-order-repository.php';
    require_once __DIR__ . '/includes/class-wc-gateway-paylock.php';

    if (defined('WP_CLI') && WP_CLI) {
        // wp paylock events|resolve: gateway events whose outcome is unknown (README "Operations")
        require_once __DIR__ . '/includes/class-paylock-cli-command.php';
        WP_CLI::add_command('paylock', 'PayLock_CLI_Command');
    }

    add_filter('woocommerce_payment_gateways', static function (array $gateways): array {
        $gateways[] = 'WC_Gateway_PayLock';
        return $gateways;
    });
});
