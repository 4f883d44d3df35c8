<?php
// Test-only stand-ins for the WordPress functions the WooCommerce example's plugin file calls, declared
// from their documented signatures (subsets: only what the plugin calls). Hooks are kept in a global, and
// the site in $GLOBALS['wp_test_site'] (home_url, blog id, whether the user is an administrator).

const ABSPATH = '/tmp/wordpress/';

$GLOBALS['wp_test_hooks'] = [];
$GLOBALS['wp_test_site'] = ['home_url' => 'https://shop.example', 'blog_id' => 1, 'admin' => true];

function add_action(string $hook, callable $callback, int $priority = 10, int $accepted_args = 1): bool
{
	$GLOBALS['wp_test_hooks'][$hook][] = $callback;
	return true;
}

function add_filter(string $hook, callable $callback, int $priority = 10, int $accepted_args = 1): bool
{
	return add_action($hook, $callback, $priority, $accepted_args);
}

function do_action(string $hook, mixed ...$args): void
{
	foreach ($GLOBALS['wp_test_hooks'][$hook] ?? [] as $callback) {
		$callback(...$args);
	}
}

function apply_filters(string $hook, mixed $value, mixed ...$args): mixed
{
	foreach ($GLOBALS['wp_test_hooks'][$hook] ?? [] as $callback) {
		$value = $callback($value, ...$args);
	}
	return $value;
}

function home_url(string $path = ''): string
{
	return $GLOBALS['wp_test_site']['home_url'] . $path;
}

function get_current_blog_id(): int
{
	return $GLOBALS['wp_test_site']['blog_id'];
}

function current_user_can(string $capability): bool
{
	return $GLOBALS['wp_test_site']['admin'];
}

function esc_html(string $text): string
{
	return htmlspecialchars($text, ENT_QUOTES);
}
