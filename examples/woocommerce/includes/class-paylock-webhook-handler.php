<?php

require_once __DIR__ . '/interface-paylock-order.php';
require_once __DIR__ . '/interface-paylock-order-repository.php';
require_once __DIR__ . '/class-paylock-unknown-order-exception.php';
require_once __DIR__ . '/class-paylock-webhook-response.php';

/**
 * The PayLock-facing part of the gateway, free of WordPress so it runs (and is tested) on its own:
 * a gateway event is acted on once per blog however often it is delivered, and an order is completed by
 * whichever of the webhook and the customer's return page comes first, never by both.
 */
final class PayLock_Webhook_Handler
{
    /** Lease of the order lock: longer than payment_complete() takes (stock, emails, other plugins' hooks). */
    private const ORDER_LOCK_TTL = 30.0;

    private PayLock\IdempotencyGuard $guard;

    /**
     * @param Closure(string): void $log
     * @param float $wait seconds a duplicate delivery waits for the first one's result, and anyone for the order lock
     */
    public function __construct(
        private PayLock\Store $store,
        int $blog_id,
        private PayLock_Order_Repository $orders,
        private Closure $log,
        private float $wait = 5.0,
    ) {
        // One gateway account may serve every blog of a network, so event ids are scoped per blog.
        // A request killed inside payment_complete() may have reduced stock or sent mails without saving
        // the status: 'throw' makes someone look at the order before that event is acted on again.
        $this->guard = new PayLock\IdempotencyGuard($store, [
            'scope' => "blog:$blog_id",
            'after_crash' => 'throw',
        ]);
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
            $paid_now = !$order->is_paid() && $order->payment_complete($transaction_id);
            return ['order' => $order_id, 'status' => $order->get_status(), 'paid_now' => $paid_now];
        }, $this->wait);
    }
}
