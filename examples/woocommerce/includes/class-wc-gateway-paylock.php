<?php

/**
 * A hosted-page gateway. The customer pays on the gateway's page and comes back to the thank-you page,
 * while the gateway posts a signed payment.succeeded event to /?wc-api=paylock, possibly several times.
 * Both paths end in PayLock_Webhook_Handler, which completes the order once.
 */
class WC_Gateway_PayLock extends WC_Payment_Gateway
{
    public function __construct()
    {
        $this->id = 'paylock';
        $this->method_title = 'PayLock example gateway';
        $this->method_description = 'Hosted payment page whose webhooks and returns complete an order exactly once.';
        $this->has_fields = false;
        $this->init_form_fields();
        $this->init_settings();
        $this->title = $this->get_option('title');

        add_action('woocommerce_update_options_payment_gateways_' . $this->id, [$this, 'process_admin_options']);
        add_action('woocommerce_api_' . $this->id, [$this, 'handle_webhook']);
        add_action('woocommerce_thankyou_' . $this->id, [$this, 'handle_return']);
    }

    public function init_form_fields(): void
    {
        $this->form_fields = [
            'enabled' => ['title' => 'Enable', 'type' => 'checkbox', 'default' => 'no'],
            'title' => ['title' => 'Title', 'type' => 'text', 'default' => 'Card'],
            'payment_page' => ['title' => 'Payment page URL', 'type' => 'text', 'default' => ''],
            'secret' => ['title' => 'Signing secret', 'type' => 'password', 'default' => ''],
        ];
    }

    public function process_payment($order_id): array
    {
        $order = wc_get_order($order_id);
        return [
            'result' => 'success',
            'redirect' => add_query_arg([
                'order' => $order_id,
                'amount' => $order->get_total(),
                'currency' => $order->get_currency(),
                'return' => rawurlencode($this->get_return_url($order)),
            ], $this->get_option('payment_page')),
        ];
    }

    /** woocommerce_api_paylock: the gateway's event, its body signed with the shared secret. */
    public function handle_webhook(): void
    {
        $body = (string) file_get_contents('php://input');
        if (!$this->signed($body, (string) ($_SERVER['HTTP_X_PAYLOCK_SIGNATURE'] ?? ''))) {
            wp_send_json(['error' => 'bad signature'], 401);
        }
        $event = json_decode($body, true);
        $response = $this->handler()->handle(is_array($event) ? $event : []);
        wp_send_json($response->body, $response->status);
    }

    /** woocommerce_thankyou_paylock: the gateway sends the customer back with a signed transaction id. */
    public function handle_return(int $order_id): void
    {
        $txn = sanitize_text_field(wp_unslash($_GET['txn'] ?? ''));
        $sig = sanitize_text_field(wp_unslash($_GET['sig'] ?? ''));
        if ($txn === '' || !$this->signed("$order_id|$txn", $sig)) {
            return;
        }
        try {
            $this->handler()->complete_order($order_id, $txn);
        } catch (PayLock\Exception $e) {
            // The webhook completes the order all the same; the thank-you page must still render.
            wc_get_logger()->warning("order $order_id on return: {$e->getMessage()}", ['source' => 'paylock']);
        }
    }

    private function signed(string $payload, string $signature): bool
    {
        $secret = (string) $this->get_option('secret');
        return $secret !== '' && hash_equals(hash_hmac('sha256', $payload, $secret), $signature);
    }

    private function handler(): PayLock_Webhook_Handler
    {
        return new PayLock_Webhook_Handler(
            PayLock\defaultStore(),
            paylock_gateway_scope(),
            new PayLock_WC_Order_Repository(),
            static fn (string $message) => wc_get_logger()->error($message, ['source' => 'paylock']),
        );
    }
}
