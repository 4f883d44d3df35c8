<?php

/**
 * A WC_Order seen through PayLock_Order.
 */
final class PayLock_WC_Order implements PayLock_Order
{
    public function __construct(private WC_Order $order)
    {
    }

    public function get_status(): string
    {
        return $this->order->get_status();
    }

    public function is_paid(): bool
    {
        return $this->order->is_paid();
    }

    public function payment_complete(string $transaction_id): bool
    {
        return $this->order->payment_complete($transaction_id);
    }
}
