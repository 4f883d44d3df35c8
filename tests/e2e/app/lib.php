<?php
// Shared by the shop's endpoints: configuration (the FPM pool's env[] entries, set by tests/e2e/run.sh),
// the database, PayLock's store and JSON answers.

declare(strict_types=1);

namespace Shop;

use PayLock\FallbackStore;
use PayLock\FileStore;
use PayLock\RedisStore;

/** A request that is wrong whatever the timing; its code is the HTTP status to answer. */
final class BadRequest extends \RuntimeException
{
}

// stats() counts per process (an FPM worker serves many requests): requests compare against this.
const STATS_AT_START = 'shop_stats_at_start';
$GLOBALS[STATS_AT_START] = \PayLock\stats();

function env(string $name): string
{
	$value = getenv($name);
	if ($value === false || $value === '') {
		throw new \RuntimeException("environment variable $name is not set");
	}
	return $value;
}

function db(): \PDO
{
	static $pdo = null;
	return $pdo ??= new \PDO(env('SHOP_DB_DSN'), env('SHOP_DB_USER'), env('SHOP_DB_PASSWORD'), [
		\PDO::ATTR_ERRMODE => \PDO::ERRMODE_EXCEPTION,
		\PDO::ATTR_DEFAULT_FETCH_MODE => \PDO::FETCH_ASSOC,
		\PDO::ATTR_EMULATE_PREPARES => false,
	]);
}

/**
 * Redis for locks across hosts, the local files when Redis is down. The short connect timeout bounds
 * what a down Redis costs each acquire (every acquire tries Redis again).
 */
function store(): FallbackStore
{
	return new FallbackStore(
		new RedisStore(env('SHOP_REDIS_DSN'), ['connect_timeout' => 0.3]),
		new FileStore(env('SHOP_LOCK_DIR')),
	);
}

/** False only in the harness's self-check, which proves that the checks catch a shop without guards. */
function guarded(): bool
{
	return env('SHOP_UNGUARDED') !== '1';
}

/** How much a PayLock counter grew during this request. */
function stat_delta(string $counter): int|float
{
	return \PayLock\stats()[$counter] - $GLOBALS[STATS_AT_START][$counter];
}

/** True when a PayLock operation of this request ran on the local files only because Redis was down. */
function degraded_this_request(): bool
{
	return stat_delta('degraded') > 0;
}

/** Answers JSON and ends the request. What varies between deliveries goes in headers, not the body. */
function respond(int $status, array $body, array $headers = []): never
{
	http_response_code($status);
	header('Content-Type: application/json');
	header('X-PayLock-Degraded: ' . (degraded_this_request() ? '1' : '0'));
	foreach ($headers as $name => $value) {
		header("$name: $value");
	}
	echo json_encode($body, JSON_THROW_ON_ERROR), "\n";
	exit;
}
