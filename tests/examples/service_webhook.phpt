--TEST--
Service example: a bad HMAC is answered 401 before anything is recorded; concurrent signed duplicates run the step once and all get its result; 422 for another topic, 400 without an id, 500 after a crash
--EXTENSIONS--
paylock
pcntl
posix
--SKIPIF--
<?php require __DIR__ . '/../_support/skipif.inc'; ?>
--FILE--
<?php
require __DIR__ . '/../_support/common.inc';
require __DIR__ . '/../../examples/service/src/WebhookResponse.php';
require __DIR__ . '/../../examples/service/src/WebhookEndpoint.php';

const SECRET = 'shpss_test_secret';
$steps = tally_file();

function endpoint(string $steps): App\WebhookEndpoint
{
	return new App\WebhookEndpoint(SECRET, redis_store(), function (string $topic, array $payload) use ($steps) {
		tally($steps);
		if ($topic === 'orders/cancelled') {
			trigger_error('Allowed memory size exhausted', E_USER_ERROR); // the worker dies mid-step
		}
		usleep(100000);
		return ['topic' => $topic, 'order' => $payload['id'], 'pid' => getmypid()];
	}, function (string $message) {
		echo "log: $message\n";
	});
}

function headers(string $id, string $body, string $topic = 'orders/paid', string $secret = SECRET): array
{
	// Mixed-case names, as servers pass them on.
	return ['X-Shopify-Webhook-Id' => $id, 'X-Shopify-Topic' => $topic, 'x-shopify-shop-domain' => 'demo.myshopify.com',
		'X-Shopify-Hmac-SHA256' => base64_encode(hash_hmac('sha256', $body, $secret, true))];
}

function show(string $what, App\WebhookResponse $r): void
{
	echo "$what: $r->status ", json_encode($r->body), "\n";
}

$endpoint = endpoint($steps);
$id = uniq('wh');
$body = json_encode(['id' => 820982911946154508, 'total_price' => '19.99']);
$before = PayLock\stats();
show('wrong secret', $endpoint->handle(headers($id, $body, secret: 'guessed'), $body));
show('body changed', $endpoint->handle(headers($id, $body), str_replace('19.99', '0.01', $body)));
$h = headers($id, $body);
unset($h['X-Shopify-Hmac-SHA256']);
show('unsigned', $endpoint->handle($h, $body));
$idem = fn (array $s) => array_filter($s, fn ($k) => str_starts_with($k, 'idem_'), ARRAY_FILTER_USE_KEY);
printf("steps run: %d, guard untouched: %s, keys in Redis: %d\n", tally_count($steps),
	json_encode($idem(PayLock\stats()) === $idem($before)), count(redis_raw(['KEYS', "*$id*"])));

// The platform redelivers the event while the first delivery is still running.
$n = procs(20, 6);
$start = microtime(true) + 0.4;
$got = fork_workers($n, function () use ($steps, $id, $body, $start) {
	$endpoint = endpoint($steps);
	usleep(max(0, (int)(($start - microtime(true)) * 1e6))); // a late starter (valgrind) just goes
	$r = $endpoint->handle(headers($id, $body), $body);
	return [$r->status, $r->body];
});
printf("%d signed deliveries: step ran %d time(s), %d distinct answer(s), status %d\n", $n, tally_count($steps),
	count(array_unique(array_map('serialize', $got))), $got[0][0]);
$r = $endpoint->handle(headers($id, $body), $body);
printf("later redelivery: same answer %s\n", json_encode([$r->status, $r->body] === $got[0]));
show('same id, other topic', $endpoint->handle(headers($id, $body, 'orders/create'), $body));
show('no id', $endpoint->handle(headers('', $body), $body));

// The worker dies inside the step: the next delivery is not run blind.
$crash = uniq('wh');
$pid = pcntl_fork();
if ($pid === 0) {
	ini_set('display_errors', '0');
	$endpoint->handle(headers($crash, $body, 'orders/cancelled'), $body);
}
pcntl_waitpid($pid, $status);
show('after a crash', $endpoint->handle(headers($crash, $body, 'orders/cancelled'), $body));
echo "steps run: ", tally_count($steps), "\n";
?>
--EXPECTF--
wrong secret: 401 {"error":"bad signature"}
body changed: 401 {"error":"bad signature"}
unsigned: 401 {"error":"bad signature"}
steps run: 0, guard untouched: true, keys in Redis: 0
%d signed deliveries: step ran 1 time(s), 1 distinct answer(s), status 200
later redelivery: same answer true
same id, other topic: 422 {"error":"webhook wh:%s was received before with another topic or body"}
no id: 400 {"error":"missing webhook id, topic or JSON body"}
log: orders/cancelled webhook needs checking by hand: Attempt %d of idempotency key "wh:%s" died mid-step, so its outcome is unknown (after_crash: throw). Reconcile it, then forget() the key
after a crash: 500 {"error":"outcome unknown, being checked"}
steps run: 2
