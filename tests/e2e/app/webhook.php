<?php
// The payment gateway's webhook: "the payment of order N succeeded, capture it". Gateways deliver at
// least once (retries after a timeout, several queue workers, resends), so one event often arrives many
// times, some of them at the same moment. The capture (a charge nobody can take back by rolling a
// transaction back) and the order's move to paid must happen once per event, and every delivery must
// get the same answer.

declare(strict_types=1);

namespace Shop;

use PayLock\FingerprintMismatchException;
use PayLock\IdempotencyGuard;
use PayLock\InProgressException;

require __DIR__ . '/lib.php';

// The gateway's capture call: the window in which an unguarded duplicate also finds the order unpaid.
const GATEWAY_CALL_US = 20000;

/** The payment step: capture the amount, then mark the order paid, in one transaction. */
function capture_and_mark_paid(string $eventId, int $orderId, int $amount): array
{
	$db = db();
	$db->prepare('INSERT INTO executions (event_id, order_id) VALUES (?, ?)')->execute([$eventId, $orderId]);
	$db->beginTransaction();
	try {
		// A plain read, as shop code does: the idempotency guard is what keeps duplicates apart.
		$q = $db->prepare('SELECT amount_cents, status FROM orders WHERE id = ?');
		$q->execute([$orderId]);
		$order = $q->fetch();
		if ($order === false) {
			throw new BadRequest("no order $orderId", 404);
		}
		if ($order['amount_cents'] !== $amount) {
			throw new BadRequest("order $orderId is for {$order['amount_cents']}, the event for $amount", 422);
		}
		if ($order['status'] === 'paid') {
			$db->commit();
			return ['order' => $orderId, 'status' => 'already paid'];
		}
		usleep(GATEWAY_CALL_US);
		$db->prepare('INSERT INTO captures (order_id, event_id, amount_cents, degraded) VALUES (?, ?, ?, ?)')
			->execute([$orderId, $eventId, $amount, (int)degraded_this_request()]);
		$captureId = (int)$db->lastInsertId();
		$db->prepare("UPDATE orders SET status = 'paid', paid_count = paid_count + 1 WHERE id = ?")
			->execute([$orderId]);
		$db->commit();
	} catch (\Throwable $e) {
		$db->rollBack();
		throw $e;
	}
	return ['order' => $orderId, 'status' => 'paid', 'capture' => $captureId, 'amount' => $amount, 'event' => $eventId];
}

function guard(): IdempotencyGuard
{
	// Scope: the shop (one Redis may serve several); each key below is one gateway's event id.
	return new IdempotencyGuard(store(), ['scope' => 'e2e-shop']);
}

/** @return array{0: string, 1: int, 2: int, 3: array} event id, order id, amount, the event's object */
function read_event(): array
{
	$event = json_decode((string)file_get_contents('php://input'), true);
	$object = $event['data']['object'] ?? null;
	if (!is_string($event['id'] ?? null) || !is_int($object['order_id'] ?? null) || !is_int($object['amount'] ?? null)) {
		respond(400, ['error' => 'not a payment event']);
	}
	return [$event['id'], $object['order_id'], $object['amount'], $object];
}

function log_delivery(string $eventId, int $orderId, int $status, ?array $result, bool $ran): void
{
	db()->prepare('INSERT INTO deliveries (event_id, order_id, http_status, capture_id, ran, waited, degraded)
		VALUES (?, ?, ?, ?, ?, ?, ?)')->execute([
		$eventId, $orderId, $status, $result['capture'] ?? null, (int)$ran,
		(int)(stat_delta('idem_waited') > 0), (int)degraded_this_request(),
	]);
}

function main(): never
{
	[$eventId, $orderId, $amount, $object] = read_event();
	$ran = false;
	$step = function () use ($eventId, $orderId, $amount, &$ran): array {
		$ran = true;
		return capture_and_mark_paid($eventId, $orderId, $amount);
	};
	$result = null;
	try {
		// A duplicate that arrives while the first delivery runs waits for its result (up to 5 s);
		// the fingerprint makes a reused event id for another payment fail instead of replaying.
		$result = guarded() ? guard()->run("acmepay:$eventId", $step, $object, 5.0) : $step();
		$status = 200;
	} catch (InProgressException) {
		$status = 409;  // still running after 5 s: the gateway retries later
	} catch (FingerprintMismatchException) {
		$status = 422;
	} catch (BadRequest $e) {
		$status = $e->getCode();
	}
	log_delivery($eventId, $orderId, $status, $result, $ran);
	respond($status, $result ?? ['error' => $status], ['X-Delivery' => $ran ? 'ran' : 'replayed']);
}

main();
