<?php

declare(strict_types=1);

namespace App;

use Closure;
use PayLock\FingerprintMismatchException;
use PayLock\IdempotencyGuard;
use PayLock\InProgressException;
use PayLock\OutcomeUnknownException;
use PayLock\Store;

/**
 * Shopify-style webhooks: the raw body is signed with the app's shared secret (base64 HMAC-SHA256 in
 * X-Shopify-Hmac-Sha256), X-Shopify-Webhook-Id is the same on every redelivery of one event, and
 * X-Shopify-Topic says what happened. Each event's business step runs once, whatever is redelivered.
 *
 * What it covers: the idempotency guard covers one event (keyed by its webhook id): its deliveries run
 * $process once and replay its result. It takes no lock on the order or products the step changes: a
 * step that writes shared rows (stock, balances) by read-then-write takes their lock itself, e.g.
 * PayLock\Lock "product:<id>". The scope is 'shopify' plus the key prefix of the store: two apps (or
 * staging and production) on one Redis need different RedisStore prefixes, or they replay each other's
 * events.
 */
final class WebhookEndpoint
{
    private IdempotencyGuard $guard;

    /**
     * @param Closure(string $topic, array $payload): array $process the business step; its result is replayed
     * @param Closure(string): void $log
     * @param float $wait seconds a duplicate delivery waits for the first one's result
     */
    public function __construct(
        #[\SensitiveParameter] private string $secret,
        Store $store,
        private Closure $process,
        private Closure $log,
        private float $wait = 5.0,
    ) {
        // 'throw': a step that died half way is looked at by someone before it runs again.
        $this->guard = new IdempotencyGuard($store, ['scope' => 'shopify', 'after_crash' => 'throw']);
    }

    /** @param array<string, string> $headers request headers, names in any case */
    public function handle(array $headers, string $body): WebhookResponse
    {
        $headers = array_change_key_case($headers, CASE_LOWER);
        // Checked before anything is recorded: an unsigned request must not claim an event id.
        if (!$this->signed($body, $headers['x-shopify-hmac-sha256'] ?? '')) {
            return new WebhookResponse(401, ['error' => 'bad signature']);
        }
        $id = $headers['x-shopify-webhook-id'] ?? '';
        $topic = $headers['x-shopify-topic'] ?? '';
        $payload = json_decode($body, true);
        if ($id === '' || $topic === '' || !is_array($payload)) {
            return new WebhookResponse(400, ['error' => 'missing webhook id, topic or JSON body']);
        }

        try {
            $result = $this->guard->run(
                $id,
                fn (): array => ($this->process)($topic, $payload),
                // Only the body is signed, so the topic header goes into the fingerprint: a signed body
                // resent under the same id with another topic is refused, not run as that topic.
                ['topic' => $topic, 'body' => hash('sha256', $body)],
                $this->wait,
            );
            return new WebhookResponse(200, $result);
        } catch (InProgressException) {
            return new WebhookResponse(409, ['error' => 'in progress, retry later']);
        } catch (FingerprintMismatchException) {
            return new WebhookResponse(422, ['error' => "webhook $id was received before with another topic or body"]);
        } catch (OutcomeUnknownException $e) {
            ($this->log)("$topic webhook needs checking by hand: {$e->getMessage()}");
            return new WebhookResponse(500, ['error' => 'outcome unknown, being checked']);
        }
    }

    private function signed(string $body, string $hmac): bool
    {
        $expected = base64_encode(hash_hmac('sha256', $body, $this->secret, true));
        return $hmac !== '' && hash_equals($expected, $hmac);
    }
}
