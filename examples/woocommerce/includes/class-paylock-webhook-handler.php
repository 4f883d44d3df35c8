<?php

require_once __DIR__ . '/interface-paylock-order.php';
require_once __DIR__ . '/interface-paylock-order-repository.php';
require_once __DIR__ . '/class-paylock-unknown-order-exception.php';
require_once __DIR__ . '/class-paylock-webhook-response.php';

/**
 * The PayLock-facing part of the gateway, free of WordPress so it runs (and is tested) on its own:
 * a gateway event is acted on once per site however often it is delivered, and an order is completed by
 * whichever of the webhook and the customer's return page comes first, never by both.
 *
 * What each lock covers:
 * - the idempotency guard (key: the gateway's event id, scope: this site) covers one event: its
 *   deliveries run the step once and replay its answer;
 * - "order:<id>" covers one order's status: the webhook and the return page cannot both complete it;
 * - "product:<id>" (one per product of the order, all taken at once) covers those products' stock while
 *   payment_complete() reduces it. Every other piece of code that writes stock by read-then-write (an
 *   ERP sync, a stock plugin, a refund restocking) must take the same product lock, as
 *   update_stock() below does; orders sharing a product then never lose a stock update.
 */
final class PayLock_Webhook_Handler
{
    /** Lease of the order and product locks: longer than payment_complete() takes (stock, emails, other plugins' hooks). */
    private const ORDER_LOCK_TTL = 30.0;

    private PayLock\IdempotencyGuard $guard;

    /**
     * @param string $scope what makes this site's event ids its own: site_scope(home_url(), get_current_blog_id())
     * @param Closure(string): void $log
     * @param float $wait seconds a duplicate delivery waits for the first one's result, and anyone for the order lock
     */
    public function __construct(
        private PayLock\Store $store,
        string $scope,
        private PayLock_Order_Repository $orders,
        private Closure $log,
        private float $wait = 5.0,
    ) {
        // A request killed inside payment_complete() may have reduced stock or sent mails without saving
        // the status: 'throw' makes someone look at the order before that event is acted on again.
        $this->guard = new PayLock\IdempotencyGuard($store, [
            'scope' => $scope,
            'after_crash' => 'throw',
        ]);
    }

    /**
     * The idempotency scope of one site: its home URL (scheme, host, port, path) and blog id.
     *
     * WARNING: event ids are only unique per gateway account, and one Redis often serves several sites
     * (staging and production, two shops on one host, every blog of a network). With a scope that is the
     * same on two of them (the blog id alone is 1 on every single site), one site answers the other's
     * events with the stored result of its own run, the gateway stops retrying, and the order stays
     * pending. The home URL tells them apart; a staging copy must not keep production's URL (WordPress
     * staging tools rewrite it), or give it a scope of its own with the paylock_idempotency_scope filter.
     */
    public static function site_scope(string $home_url, int $blog_id): string
    {
        $parts = parse_url(strtolower(rtrim($home_url, '/'))) ?: [];
        $site = ($parts['scheme'] ?? 'http') . '://' . ($parts['host'] ?? '') . (isset($parts['port']) ? ':' . $parts['port'] : '')
            . ($parts['path'] ?? '');
        // Hashed: a fixed, short, brace-free part of every Redis key, whatever the URL holds.
        return 'site:' . substr(hash('sha256', $site), 0, 16) . ":blog:$blog_id";
    }

    /**
     * Writes a product's stock by read-then-write under the product's lock, the same lock completing an
     * order takes for its products: $change gets the stock read under the lock and returns the new one.
     *
     * @param Closure(int $product_id): ?int $read
     * @param Closure(int $product_id, ?int $stock): void $write
     * @param Closure(?int $stock): ?int $change
     */
    public function update_stock(int $product_id, Closure $read, Closure $write, Closure $change): ?int
    {
        $lock = new PayLock\Lock($this->store, "product:$product_id", self::ORDER_LOCK_TTL);
        return $lock->run(static function () use ($product_id, $read, $write, $change): ?int {
            $stock = $change($read($product_id));
            $write($product_id, $stock);
            return $stock;
        }, $this->wait);
    }

    /** Answers one decoded gateway event. */
    public function handle(array $event): PayLock_Webhook_Response
    {
        $id = $event['id'] ?? null;
        if (!is_string($id) || $id === '') {
            return new PayLock_Webhook_Response(400, ['error' => 'event without an id']);
        }
        if (($event['type'] ?? null) !== 'payment.succeeded') {
            return new PayLock_Webhook_Response(200, ['ignored' => true]);
        }
        $data = $event['data'] ?? null;
        if (!is_int($data['order_id'] ?? null) || !is_string($data['transaction_id'] ?? null)) {
            return new PayLock_Webhook_Response(400, ['error' => 'event without an order or a transaction']);
        }

        try {
            $result = $this->guard->run(
                $id,
                fn (): array => $this->complete_order($data['order_id'], $data['transaction_id']),
                // The event's object, not its envelope: gateways restamp the envelope on every redelivery.
                ['type' => 'payment.succeeded', 'data' => $data],
                $this->wait,
            );
            return new PayLock_Webhook_Response(200, $result);
        } catch (PayLock\InProgressException | PayLock\LockTimeoutException) {
            // Still running in another request, or the order is busy: the gateway retries later.
            return new PayLock_Webhook_Response(409, ['error' => 'in progress, retry later']);
        } catch (PayLock\FingerprintMismatchException) {
            return new PayLock_Webhook_Response(422, ['error' => "event $id was received before with other content"]);
        } catch (PayLock\OutcomeUnknownException $e) {
            ($this->log)("order {$data['order_id']} needs checking by hand: {$e->getMessage()}");
            return new PayLock_Webhook_Response(500, ['error' => 'outcome unknown, the shop is checking']);
        } catch (PayLock_Unknown_Order_Exception $e) {
            return new PayLock_Webhook_Response(404, ['error' => $e->getMessage()]);
        }
    }

    /**
     * Marks the order paid unless it already is, under the order's lock: the webhook and the return page
     * can arrive together, and checking is_paid() then saving is a race without it.
     *
     * @return array{order: int, status: string, paid_now: bool}
     */
    public function complete_order(int $order_id, string $transaction_id): array
    {
        $lock = new PayLock\Lock($this->store, "order:$order_id", self::ORDER_LOCK_TTL);
        return $lock->run(function () use ($order_id, $transaction_id): array {
            $order = $this->orders->find($order_id)
                ?? throw new PayLock_Unknown_Order_Exception("no order $order_id");
            $paid_now = !$order->is_paid() && $this->with_product_locks($order, fn (): bool => $order->payment_complete($transaction_id));
            return ['order' => $order_id, 'status' => $order->get_status(), 'paid_now' => $paid_now];
        }, $this->wait);
    }

    /**
     * Runs $fn holding "product:<id>" for every product whose stock the order changes, all or none in one
     * step (two orders sharing products never deadlock). payment_complete() reduces their stock.
     */
    private function with_product_locks(PayLock_Order $order, Closure $fn): bool
    {
        $ids = $order->product_ids();
        if ($ids === []) {
            return $fn();
        }
        $products = new PayLock\MultiLock($this->store, array_map(static fn (int $id): string => "product:$id", $ids), self::ORDER_LOCK_TTL);
        return $products->run($fn, $this->wait);
    }
}
