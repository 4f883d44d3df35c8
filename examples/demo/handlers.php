<?php
// The shop's request handlers, written the way payment plugins write them: check the state, call the
// gateway, then act. Both runs of the demo use this same code; only the Protection differs:
// Unprotected (what the plugins rely on: the status check) or PayLockProtection.

declare(strict_types=1);

interface Protection
{
    /** Runs $fn once per $key, however often and however concurrently the key arrives. */
    public function once(string $key, array $fingerprint, callable $fn): mixed;

    /** Runs $fn while holding every lock in $names. */
    public function locked(array $names, callable $fn): mixed;
}

final class Unprotected implements Protection
{
    public function once(string $key, array $fingerprint, callable $fn): mixed
    {
        return $fn();
    }

    public function locked(array $names, callable $fn): mixed
    {
        return $fn();
    }
}

final class PayLockProtection implements Protection
{
    private const TTL = 10.0;    // lease: far longer than any handler here runs
    private const WAIT = 10.0;   // how long a duplicate or a queued buyer waits its turn

    private readonly PayLock\IdempotencyGuard $guard;

    public function __construct(private readonly PayLock\Store $store)
    {
        // Records need only outlive the demo (the default keeps them a day).
        $this->guard = new PayLock\IdempotencyGuard($store, ['scope' => 'demo-shop', 'retention' => 600]);
    }

    public function once(string $key, array $fingerprint, callable $fn): mixed
    {
        // A duplicate arriving while the first delivery runs waits for it and gets its stored result.
        return $this->guard->run($key, $fn, $fingerprint, self::WAIT);
    }

    public function locked(array $names, callable $fn): mixed
    {
        $lock = count($names) === 1
            ? new PayLock\Lock($this->store, $names[0], self::TTL)
            : new PayLock\MultiLock($this->store, $names, self::TTL);   // all or none: carts cannot deadlock
        return $lock->run($fn, self::WAIT);
    }
}

/** The payment gateway's HTTP round trip (capture, charge, void): the gap between check and write. */
function gateway_call(): string
{
    usleep(random_int(20000, 60000));   // 20 to 60 ms: a fast gateway
    return 'txn_' . bin2hex(random_bytes(6));
}

/** @return list<string> lock names of the products in $items (product id => quantity) */
function product_locks(array $items): array
{
    return array_map(fn($id) => "product:$id", array_keys($items));
}

/** The gateway reports the payment authorised: capture it, mark the order paid, take the items out of stock. */
function on_payment_authorized(Shop $shop, Protection $p, array $event): string
{
    $orderId = $event['order'];
    // Gateways deliver an event at least once: retries, sometimes several at the same instant.
    return $p->once($event['id'], $event, function () use ($shop, $p, $orderId, $event) {
        // The unpaid-order cron may be cancelling this very order: one status change at a time.
        return $p->locked(["order:$orderId"], function () use ($shop, $p, $orderId, $event) {
            $status = $shop->orderStatus($orderId);
            if ($status !== 'pending') {
                return "ignored: order $orderId is $status";   // the plugin's own duplicate check
            }
            $txn = gateway_call();
            $shop->markPaid($orderId, $event['id'], $txn);
            $items = $shop->orderItems($orderId);
            // Every stock writer takes its products' locks, so a checkout's availability check holds.
            $p->locked(product_locks($items), fn() => $shop->reduceStock($items));
            return "captured $txn";
        });
    });
}

/** The cron job that cancels orders left unpaid too long (and voids their authorisation). */
function cancel_if_unpaid(Shop $shop, Protection $p, int $orderId): string
{
    return $p->locked(["order:$orderId"], function () use ($shop, $orderId) {
        if ($shop->orderStatus($orderId) !== 'pending') {
            return 'left alone';
        }
        gateway_call();
        $shop->setStatus($orderId, 'cancelled');
        return 'cancelled';
    });
}

/** A buyer checks out a cart (product id => quantity): check stock, charge the card, place the order. */
function checkout(Shop $shop, Protection $p, string $buyer, array $cart): string
{
    return $p->locked(product_locks($cart), function () use ($shop, $buyer, $cart) {
        foreach ($cart as $productId => $qty) {
            if ($shop->stock($productId) < $qty) {
                return 'sold out';
            }
        }
        $txn = gateway_call();
        $shop->placePaidOrder($buyer, $cart, $txn);
        return "bought ($txn)";
    });
}

/** Runs one job of the schedule. */
function handle(Shop $shop, Protection $p, array $job): string
{
    return match ($job['type']) {
        'webhook' => on_payment_authorized($shop, $p, $job['event']),
        'cancel' => cancel_if_unpaid($shop, $p, $job['order']),
        'checkout' => checkout($shop, $p, $job['buyer'], $job['cart']),
    };
}
