<?php

/**
 * Orders from WooCommerce's data store (posts or HPOS tables, whichever the shop uses).
 */
final class PayLock_WC_Order_Repository implements PayLock_Order_Repository
{
    public function find(int $order_id): ?PayLock_Order
    {
        $order = wc_get_order($order_id);
        return $order instanceof WC_Order ? new PayLock_WC_Order($order) : null;
    }
}
