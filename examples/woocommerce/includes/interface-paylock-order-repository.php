<?php

/**
 * Loads an order from storage. Called only once the order lock is held, so it must read the order's
 * current state, never a copy loaded earlier in the request.
 */
interface PayLock_Order_Repository
{
    public function find(int $order_id): ?PayLock_Order;
}
