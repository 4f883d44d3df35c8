<?php

declare(strict_types=1);

namespace App;

/** An HTTP status and a JSON body. */
final class WebhookResponse
{
    public function __construct(
        public readonly int $status,
        public readonly array $body,
    ) {
    }

    public function send(): void
    {
        http_response_code($this->status);
        header('Content-Type: application/json');
        echo json_encode($this->body), "\n";
    }
}
