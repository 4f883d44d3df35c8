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

    public function product_ids(): array
    {
        $ids = [];
        foreach ($this->order->get_items() as $item) {
            if ($item instanceof WC_Order_Item_Product && $item->get_product() && $item->get_product()->managing_stock()) {
                // Variations manage stock on their own row, or on their parent's (then the parent's id).
                $ids[] = (int) $item->get_product()->get_stock_managed_by_id();
            }
        }
        return array_values(array_unique($ids));
    }

    public function payment_complete(string $transaction_id): bool
    {
        return $this->order->payment_complete($transaction_id);
    }
}
