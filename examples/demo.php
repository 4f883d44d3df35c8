<?php
// PayLock demo: the last units of a product, bought by many concurrent checkouts.
// The naive checkout reads the stock, thinks, and writes it back (what shop code does today); the
// guarded one does the same inside PayLock\Lock::run(). Exit status 1 if the guarded run oversells.
//   php -d extension=modules/paylock.so examples/demo.php redis://127.0.0.1:6379

$dsn = $argv[1] ?? 'redis://127.0.0.1:6379';
$workers = 12;
$attempts = 6;      // checkouts per worker
$stockStart = 20;   // fewer units than checkouts: someone must be told "sold out"

function checkout(string $file): bool
{
	$stock = (int)file_get_contents($file);
	if ($stock <= 0) {
		return false;               // sold out
	}
	usleep(random_int(200, 800));   // the payment gateway call between read and write
	file_put_contents($file, (string)($stock - 1));
	return true;
}

function race(string $label, int $workers, int $attempts, int $stockStart, ?callable $guard): array
{
	$file = tempnam(sys_get_temp_dir(), 'stock');
	file_put_contents($file, (string)$stockStart);
	$t = microtime(true);
	$pids = [];
	$results = tempnam(sys_get_temp_dir(), 'sold');
	for ($w = 0; $w < $workers; $w++) {
		$pid = pcntl_fork();
		if ($pid === 0) {
			$sold = 0;
			for ($i = 0; $i < $attempts; $i++) {
				$ok = $guard ? $guard(fn() => checkout($file)) : checkout($file);
				$sold += $ok ? 1 : 0;
			}
			file_put_contents($results, "$sold\n", FILE_APPEND | LOCK_EX);
			exit(0);
		}
		$pids[] = $pid;
	}
	foreach ($pids as $i => $pid) {
		pcntl_waitpid($pid, $status);
		fprintf(STDERR, "\r%-10s [%-12s]", $label, str_repeat('#', $i + 1));
	}
	fprintf(STDERR, "\n");
	$sold = array_sum(array_map('intval', file($results)));
	$left = (int)file_get_contents($file);
	unlink($file);
	unlink($results);
	return ['sold' => $sold, 'stock_left' => $left, 'oversold' => max(0, $sold - $stockStart),
		'lost_updates' => $sold - ($stockStart - $left), 'seconds' => microtime(true) - $t];
}

$store = new PayLock\RedisStore($dsn);
$store->ping();
echo "PayLock demo: $workers concurrent checkout workers x $attempts attempts, $stockStart units in stock\n";
echo "store: Redis at $dsn\n\n";

$naive = race('naive', $workers, $attempts, $stockStart, null);
$guarded = race('PayLock', $workers, $attempts, $stockStart, function (callable $fn) use ($dsn) {
	static $store;
	$store ??= new PayLock\RedisStore($dsn);   // one store per worker process
	return (new PayLock\Lock($store, 'product:42', 10))->run($fn, 30);
});

printf("\n%-34s %10s %10s\n", '', 'naive', 'PayLock');
foreach (['sold' => 'units sold', 'oversold' => 'units oversold (sold > stock)',
	'lost_updates' => 'lost stock updates (sold, not deducted)', 'stock_left' => 'stock left'] as $k => $label) {
	printf("%-34s %10d %10d\n", $label, $naive[$k], $guarded[$k]);
}
printf("%-34s %10.2f %10.2f\n", 'seconds', $naive['seconds'], $guarded['seconds']);
$bad = $guarded['oversold'] + $guarded['lost_updates'] !== 0 || $guarded['sold'] !== $stockStart;
echo $bad ? "\nPayLock column is not clean: this is a bug.\n" : "\nPayLock: every unit sold exactly once.\n";
exit($bad ? 1 : 0);
