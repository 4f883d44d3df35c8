<?php

/**
 * Front controller of the webhook service: every request to this file is one webhook delivery.
 *
 *   SHOPIFY_WEBHOOK_SECRET=... [PAYLOCK_REDIS_DSN=redis://127.0.0.1:6379] \
 *       php -d extension=paylock -S 127.0.0.1:8080 examples/service/public/index.php
 *
 * Without PAYLOCK_REDIS_DSN the store is PayLock\defaultStore() (ini paylock.store).
 */

declare(strict_types=1);

require __DIR__ . '/../src/WebhookResponse.php';
require __DIR__ . '/../src/WebhookEndpoint.php';

use App\WebhookEndpoint;
use App\WebhookResponse;

$secret = getenv('SHOPIFY_WEBHOOK_SECRET');
if (!is_string($secret) || $secret === '') {
    // A 5xx, not a 2xx: the platform keeps the delivery and retries once the service is configured.
    (new WebhookResponse(503, ['error' => 'not configured']))->send();
    exit;
}
if ($_SERVER['REQUEST_METHOD'] !== 'POST') {
    (new WebhookResponse(405, ['error' => 'POST only']))->send();
    exit;
}

$dsn = getenv('PAYLOCK_REDIS_DSN');
$endpoint = new WebhookEndpoint(
    $secret,
    $dsn ? new PayLock\RedisStore($dsn) : PayLock\defaultStore(),
    // Your business step, run once per webhook id: mark the order paid, book the refund, and so on.
    static function (string $topic, array $payload): array {
        error_log(sprintf('webhook %s for %s', $topic, $payload['id'] ?? '?'));
        return ['topic' => $topic, 'id' => $payload['id'] ?? null];
    },
    static fn (string $message) => error_log($message),
);
$endpoint->handle(getallheaders(), (string) file_get_contents('php://input'))->send();
