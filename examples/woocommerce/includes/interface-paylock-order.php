<?php

/**
 * The little of WC_Order that completing a payment needs; PayLock_WC_Order adapts the real one.
 */
interface PayLock_Order
{
    public function get_status(): string;

    public function is_paid(): bool;

    /** The products whose stock payment_complete() reduces (their ids, for the product locks). @return list<int> */
    public function product_ids(): array;

    /** Marks the order paid (status, stock, emails); false when it could not. */
    public function payment_complete(string $transaction_id): bool;
}
