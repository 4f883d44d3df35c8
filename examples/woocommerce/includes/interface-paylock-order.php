<?php

/**
 * The little of WC_Order that completing a payment needs; PayLock_WC_Order adapts the real one.
 */
interface PayLock_Order
{
    public function get_status(): string;

    public function is_paid(): bool;

    /** Marks the order paid (status, stock, emails); false when it could not. */
    public function payment_complete(string $transaction_id): bool;
}
