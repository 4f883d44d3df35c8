<?php
// Test-only stand-ins for the WP-CLI API the WooCommerce example's command uses (WP_CLI::add_command(),
// success(), error(), WP_CLI\Utils\format_items()), with WP-CLI's behaviour where it matters: error()
// ends the command (here by an exception the test catches, WP-CLI exits 1).

namespace {
	const WP_CLI = true;

	final class WP_CLI_Test_Exit extends RuntimeException
	{
	}

	final class WP_CLI
	{
		/** @var array<string, string> command name => class */
		public static array $commands = [];

		public static function add_command(string $name, string $class): void
		{
			self::$commands[$name] = $class;
		}

		public static function success(string $message): void
		{
			echo "Success: $message\n";
		}

		public static function error(string $message): never
		{
			echo "Error: $message\n";
			throw new WP_CLI_Test_Exit($message, 1);
		}
	}
}

namespace WP_CLI\Utils {
	/** json and count as WP-CLI prints them; table and csv as CSV lines (the layout is not under test). */
	function format_items(string $format, array $items, array $fields): void
	{
		$rows = array_map(fn($i) => array_intersect_key($i, array_flip($fields)), $items);
		match ($format) {
			'json' => print(json_encode($rows) . "\n"),
			'count' => print(count($rows) . "\n"),
			default => array_map(fn($r) => print(implode(',', $r) . "\n"), array_merge([array_combine($fields, $fields)], $rows)),
		};
	}
}
