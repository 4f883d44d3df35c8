<?php
/**
 * A Prometheus scrape endpoint for PayLock's pool-wide metrics.
 *
 * Put it beside your front controller (or route /metrics to it) in the PHP-FPM pool whose locks you want
 * to see: every worker of the pool adds to the same counters, so any worker answers for the whole pool,
 * and the numbers survive worker recycling (pm.max_requests); they restart from zero when php-fpm
 * restarts, which Prometheus' rate() handles. One pool, one scrape target: pools do not share numbers.
 *
 * nginx:
 *     location = /metrics {
 *         allow 10.0.0.0/8;  deny all;          # your Prometheus
 *         include fastcgi_params;
 *         fastcgi_param SCRIPT_FILENAME /srv/shop/paylock-metrics.php;
 *         fastcgi_pass unix:/run/php/php8.2-fpm.sock;
 *     }
 * prometheus.yml:
 *     scrape_configs:
 *       - job_name: paylock
 *         static_configs: [{targets: ['shop.internal:80']}]
 *
 * The counters name no lock and no idempotency key, but keep the endpoint off the public internet all the
 * same: PAYLOCK_METRICS_ALLOW (comma-separated addresses, default 127.0.0.1,::1) lists who may scrape.
 */

declare(strict_types=1);

$allowed = array_map('trim', explode(',', getenv('PAYLOCK_METRICS_ALLOW') ?: '127.0.0.1,::1'));
if (!in_array($_SERVER['REMOTE_ADDR'] ?? '', $allowed, true)) {
	http_response_code(403);
	header('Content-Type: text/plain');
	echo "forbidden\n";
	return;
}
header('Content-Type: text/plain; version=0.0.4; charset=utf-8');
header('Cache-Control: no-store');
echo PayLock\metrics();
