<?php
/**
 * PayLock quickstart, runnable: php -d extension=paylock.so examples/quickstart.php
 * Needs a Redis server: PAYLOCK_REDIS_DSN (default redis://127.0.0.1:6379). The test suite runs this file
 * (tests/examples/quickstart.phpt), so what it shows works.
 */

declare(strict_types=1);

$dsn = getenv('PAYLOCK_REDIS_DSN') ?: 'redis://127.0.0.1:6379';
// A prefix of its own keeps these keys apart from other applications on the same Redis.
$store = new PayLock\RedisStore($dsn, ['prefix' => 'quickstart:', 'connect_timeout' => 0.5]);

// Stand-ins for your database: a product's stock and an orders table with a fence column.
$stock = ['42' => 3, '43' => 5];
$orders = ['1001' => ['status' => 'pending', 'fence' => 0]];   // fence: NOT NULL DEFAULT 0

// 1. One product's stock, read then written under its lock (wait up to 2 s for it).
$lock = new PayLock\Lock($store, 'product:42', ttl: 10);
$lock->run(function () use (&$stock) {
    if ($stock['42'] > 0) {
        $stock['42']--;
    }
}, wait: 2.0);
echo "stock of 42 after one sale: {$stock['42']}\n";

// 2. A cart: every product's lock or none, in one step (two carts sharing products never deadlock).
$cart = new PayLock\MultiLock($store, ['product:43', 'product:42'], ttl: 10);
$cart->run(function () use (&$stock) {
    $stock['42']--;
    $stock['43'] -= 2;
}, wait: 2.0);
echo "after the cart: 42 => {$stock['42']}, 43 => {$stock['43']}\n";
echo 'locked in this order: ', implode(', ', $cart->names()), "\n";

// 3. By hand, with a fencing token: the write is rejected if a later holder already wrote.
$order = new PayLock\Lock($store, 'order:1001', ttl: 10);
if ($order->acquire(wait: 0.5)) {
    try {
        $fence = $order->fencingToken();
        // UPDATE orders SET status = 'paid', fence = :fence WHERE id = 1001 AND fence < :fence
        // and check rowCount(): 0 rows means a later holder wrote first.
        $updated = 0;
        if ($orders['1001']['fence'] < $fence) {
            $orders['1001'] = ['status' => 'paid', 'fence' => $fence];
            $updated = 1;
        }
        echo "order 1001: {$orders['1001']['status']}, rows updated: $updated\n";
    } finally {
        $order->release();
    }
}

// 4. A webhook's payment step, once per event id however often the gateway delivers it.
$guard = new PayLock\IdempotencyGuard($store, ['scope' => 'quickstart-shop']);
$eventId = 'evt_' . bin2hex(random_bytes(6));
$charges = 0;
foreach ([1, 2, 3] as $delivery) {
    $result = $guard->run($eventId, function () use (&$charges) {
        $charges++;
        return ['order' => 1001, 'status' => 'paid'];
    }, fingerprint: ['amount' => 1999, 'currency' => 'EUR'], wait: 5.0);
    echo "delivery $delivery: ", json_encode($result), "\n";
}
echo "payment step ran $charges time(s)\n";

// 5. Who holds a lock (for dashboards and stuck-lock alerts).
$held = new PayLock\Lock($store, 'product:42', ttl: 10);
$held->acquire();
$who = PayLock\holder($store, 'product:42');
echo 'holder of product:42: pid ', $who['pid'] === getmypid() ? 'this process' : $who['pid'], ', lease left <= 10 s: ', $who['ttl'] <= 10 ? 'yes' : 'no', "\n";
$held->release();
echo 'after release: ', json_encode(PayLock\holder($store, 'product:42')), "\n";
