<?php

/**
 * `wp paylock`: this shop's gateway events whose outcome is unknown, and their resolution, over
 * PayLock\Admin (README "Operations").
 *
 * An event is "unknown" when the request acting on it died mid-step (state crashed: PHP-FPM killed, OOM,
 * a deploy) or gave up not knowing whether the order was completed (state unknown). The handler never
 * acts on such an event again by itself (after_crash 'throw'): the gateway gets a 500 and keeps
 * retrying until someone reconciles the order with the gateway's dashboard and resolves the event here.
 *
 * ## EXAMPLES
 *
 *     wp paylock events
 *     wp paylock events --state=all --format=json
 *     wp paylock resolve evt_123 --paid --data='{"order_id":42,"transaction_id":"txn_9","amount":1999,"currency":"EUR"}'
 *     wp paylock resolve evt_123 --not-paid
 */
final class PayLock_CLI_Command
{
    /** The states an operator has to look at. */
    private const NEEDS_A_LOOK = ['crashed', 'unknown', 'unstored'];

    private PayLock\Admin $admin;
    private string $scope;

    /** @param string|null $scope this site's idempotency scope (default: paylock_gateway_scope()) */
    public function __construct(?PayLock\Store $store = null, ?string $scope = null)
    {
        $this->admin = new PayLock\Admin($store ?? PayLock\defaultStore());
        $this->scope = $scope ?? paylock_gateway_scope();
    }

    /**
     * Lists this site's gateway events by state.
     *
     * ## OPTIONS
     *
     * [--state=<state>]
     * : crashed, unknown or unstored (default: all three), or running, done, abandoned, all.
     *
     * [--format=<format>]
     * : table, json, csv or count.
     * ---
     * default: table
     * ---
     *
     * @param array<int, string> $args
     * @param array<string, string> $assoc_args
     */
    public function events(array $args, array $assoc_args): void
    {
        $state = $assoc_args['state'] ?? null;
        $states = match ($state) {
            null => self::NEEDS_A_LOOK,
            'all' => null,
            'running', 'crashed', 'unknown', 'unstored', 'done', 'abandoned' => [$state],
            default => WP_CLI::error("Unknown --state=$state: use crashed, unknown, unstored, running, done, abandoned or all."),
        };
        $items = [];
        $cursor = null;
        do {
            $page = $this->admin->records(null, 'idem:', $cursor, 1000);
            foreach ($page['records'] as $r) {
                // A FileStore keeps no scope or key (only a hash): those are listed, by id, on every site.
                if (($r['scope'] !== null && $r['scope'] !== $this->scope) || ($states !== null && !in_array($r['state'], $states, true))) {
                    continue;
                }
                $items[] = [
                    'event' => $r['key'] ?? $r['id'],
                    'state' => $r['state'],
                    'age' => $r['age'] === null ? '' : (string) round($r['age']),
                    'lease_left' => $r['lease_left'] === null ? '' : (string) round($r['lease_left'], 1),
                ];
            }
            $cursor = $page['cursor'];
        } while ($cursor !== null);
        WP_CLI\Utils\format_items($assoc_args['format'] ?? 'table', $items, ['event', 'state', 'age', 'lease_left']);
    }

    /**
     * Resolves one event after you reconciled its order with the gateway's dashboard.
     *
     * ## OPTIONS
     *
     * <event>
     * : The gateway's event id.
     *
     * [--paid]
     * : The payment went through and the order is complete: later deliveries answer 200 without acting.
     *
     * [--data=<json>]
     * : With --paid: the event's "data" object as the gateway's dashboard shows it (order_id, transaction_id,
     * amount, ...), so later deliveries of the event are recognised as the same event.
     *
     * [--not-paid]
     * : Nothing happened: the event is forgotten and the gateway's next delivery completes the order.
     *
     * @param array<int, string> $args
     * @param array<string, string|bool> $assoc_args
     */
    public function resolve(array $args, array $assoc_args): void
    {
        $event = $args[0] ?? WP_CLI::error('Give the event id: wp paylock resolve <event> --paid|--not-paid');
        $paid = !empty($assoc_args['paid']);
        if ($paid === !empty($assoc_args['not-paid'])) {
            WP_CLI::error('Say what the reconciliation found: --paid (with --data) or --not-paid.');
        }
        try {
            if (!$paid) {
                $this->admin->forget($event, $this->scope);
                WP_CLI::success("Event $event forgotten: the gateway's next delivery completes the order.");
                return;
            }
            $data = json_decode((string) ($assoc_args['data'] ?? ''), true);
            if (!is_array($data) || !is_int($data['order_id'] ?? null) || !is_string($data['transaction_id'] ?? null)) {
                WP_CLI::error('--paid needs --data=<json>: the event\'s data object, with its order_id and transaction_id.');
            }
            // The answer later deliveries replay, under the fingerprint PayLock_Webhook_Handler::handle() gives
            // the event (its type and data), so they are recognised as the same event.
            $this->admin->markDone(
                $event,
                ['order' => $data['order_id'], 'status' => 'processing', 'paid_now' => false, 'resolved_by' => 'wp paylock'],
                $this->scope,
                ['type' => 'payment.succeeded', 'data' => $data],
            );
            WP_CLI::success("Event $event marked done: later deliveries are answered without acting again.");
        } catch (PayLock\Exception $e) {
            WP_CLI::error($e->getMessage());
        }
    }
}
