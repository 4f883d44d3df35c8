<?php

/**
 * What the webhook endpoint answers: an HTTP status and a JSON body.
 */
final class PayLock_Webhook_Response
{
    public function __construct(
        public readonly int $status,
        public readonly array $body,
    ) {
    }
}
