<?php
// Checkout of a cart (POST items=ID[,ID...], one unit of each): take the products' locks, read the
// stock, and if every product has a unit left, decrement and create the order; else 409 sold out.
// A one-product cart takes a Lock, a larger one a MultiLock on the same names (carts that share products
// neither deadlock nor interleave).

declare(strict_types=1);

namespace Shop;

use PayLock\Lock;
use PayLock\LockTimeoutException;
use PayLock\MultiLock;

require __DIR__ . '/lib.php';

// Between reading the stock and writing it back (cart validation, totals, taxes): the window in which an
// unguarded buyer reads the same stock and sells the same unit.
const CART_WORK_US = 10000;

/** @return int[] distinct product ids */
function read_cart(): array
{
	$items = array_map('intval', explode(',', (string)($_POST['items'] ?? '')));
	if (min($items) < 1 || count($items) > 5 || count(array_unique($items)) !== count($items)) {
		respond(400, ['error' => 'items: 1 to 5 distinct product ids']);
	}
	return $items;
}

/** Reads, checks and writes the stock and creates the order; null when a product is sold out. */
function buy(array $items, bool $degraded): ?array
{
	$db = db();
	$marks = implode(',', array_fill(0, count($items), '?'));
	$q = $db->prepare("SELECT id, phase, price_cents, stock FROM products WHERE id IN ($marks)");
	$q->execute($items);
	$products = $q->fetchAll();
	if (count($products) !== count($items)) {
		throw new BadRequest('unknown product', 404);
	}
	foreach ($products as $p) {
		if ($p['stock'] < 1) {
			return null;
		}
	}
	usleep(CART_WORK_US);
	$amount = array_sum(array_column($products, 'price_cents'));
	$db->beginTransaction();
	try {
		$db->prepare('INSERT INTO orders (phase, amount_cents, degraded) VALUES (?, ?, ?)')
			->execute([$products[0]['phase'], $amount, (int)$degraded]);
		$orderId = (int)$db->lastInsertId();
		foreach ($products as $p) {
			// Written back from the value read above, as an ORM's $product->setStock($stock - 1)->save()
			// does: only the lock makes this read-modify-write safe.
			$db->prepare('UPDATE products SET stock = ? WHERE id = ?')->execute([$p['stock'] - 1, $p['id']]);
			$db->prepare('INSERT INTO order_items (order_id, product_id, qty, price_cents) VALUES (?, ?, 1, ?)')
				->execute([$orderId, $p['id'], $p['price_cents']]);
		}
		$db->commit();
	} catch (\Throwable $e) {
		$db->rollBack();
		throw $e;
	}
	return ['order' => $orderId, 'amount' => $amount];
}

function lock_cart(array $items): Lock|MultiLock
{
	$names = array_map(fn(int $id) => "product:$id", $items);
	// The lease outlasts any checkout by far; a worker killed mid-checkout frees the products after 10 s.
	return count($names) === 1 ? new Lock(store(), $names[0], 10.0) : new MultiLock(store(), $names, 10.0);
}

function log_checkout(array $items, int $status, ?array $order): void
{
	db()->prepare("INSERT INTO checkouts (phase, items, http_status, order_id, contended)
		VALUES ((SELECT phase FROM products WHERE id = ?), ?, ?, ?, ?)")
		->execute([$items[0], implode(',', $items), $status, $order['order'] ?? null, (int)(stat_delta('contended') > 0)]);
}

function main(): never
{
	$items = read_cart();
	try {
		if (guarded()) {
			$lock = lock_cart($items);
			// Buyers queue for the products (FIFO) for up to 15 s.
			$order = $lock->run(fn() => buy($items, $lock->isDegraded()), 15.0);
		} else {
			$order = buy($items, false);
		}
		$status = $order === null ? 409 : 201;
	} catch (LockTimeoutException) {
		$status = 503;
		$order = null;
	} catch (BadRequest $e) {
		$status = $e->getCode();
		$order = null;
	}
	log_checkout($items, $status, $order);
	respond($status, $order ?? ['error' => $status === 409 ? 'sold out' : 'try again'], $status === 503 ? ['Retry-After' => '1'] : []);
}

main();
