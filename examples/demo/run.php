<?php
// PayLock demo: a webhook storm on a small SQLite shop, served by concurrent worker processes, once with
// the handlers as payment plugins write them and once with the same handlers guarded by PayLock.
// Prints what went wrong in each run; exit status 1 if the PayLock run is not clean.
//
//   php -d extension=paylock.so -d extension=pdo_sqlite examples/demo/run.php [redis://host:port | file] [note]
//
// With a Redis DSN that does not answer, it falls back to the FileStore and says so. The note (from
// scripts/demo.sh) says where the store came from. PAYLOCK_DEMO_BREAK=1 runs the "PayLock" column
// unprotected: a self-check that the exit status catches a broken guard.

declare(strict_types=1);

require __DIR__ . '/shop.php';
require __DIR__ . '/handlers.php';
require __DIR__ . '/storm.php';

const WORKERS = 16;
const ORDERS = 160;      // each paid by a webhook event delivered 3 times
const HOT_UNITS = 6;     // the last units of the drop ...
const BUYERS = 48;       // ... and the buyers who want one

main($argv);

function main(array $argv): never
{
    check_extensions();
    $dir = make_work_dir();
    [$describe, $makeStore] = choose_store($argv[1] ?? 'file', $argv[2] ?? '', $dir);
    $broken = getenv('PAYLOCK_DEMO_BREAK') === '1';

    $catalog = make_catalog(HOT_UNITS);
    $orders = make_orders($catalog, ORDERS);
    $schedule = make_schedule($catalog, $orders, BUYERS);
    print_intro($schedule, $describe, $broken);

    $runs = [];
    foreach (['naive' => false, 'PayLock' => !$broken] as $label => $guarded) {
        $runs[$label] = run_shop($label, $guarded, $catalog, $orders, $schedule, $makeStore, $dir);
    }
    $clean = print_results($runs['naive'], $runs['PayLock']);
    exit($clean ? 0 : 1);
}

function check_extensions(): void
{
    foreach (['paylock', 'pcntl', 'pdo_sqlite'] as $ext) {
        if (!extension_loaded($ext)) {
            fwrite(STDERR, "demo: the $ext extension is not loaded (scripts/demo.sh loads what it needs)\n");
            exit(2);
        }
    }
}

/** A scratch directory for the databases and file locks, removed when the demo ends. */
function make_work_dir(): string
{
    $dir = sys_get_temp_dir() . '/paylock-demo.' . bin2hex(random_bytes(4));
    mkdir($dir, 0700);
    $owner = getmypid();
    register_shutdown_function(function () use ($dir, $owner) {
        if (getmypid() === $owner) {   // forked workers run shutdown functions too
            exec('rm -rf ' . escapeshellarg($dir));
        }
    });
    return $dir;
}

/**
 * Redis when the DSN answers, the FileStore otherwise. Returns [what to tell the user, a factory that
 * each worker calls after the fork for its own store].
 */
function choose_store(string $target, string $note, string $dir): array
{
    $note = $note === '' ? '' : " ($note)";
    if (str_starts_with($target, 'redis://')) {
        try {
            (new PayLock\RedisStore($target, ['persistent' => false]))->ping();
            // Its own prefix: with a Redis that was already running, the demo's keys stay apart.
            return ["Redis at $target$note", fn() => new PayLock\RedisStore($target, ['prefix' => 'paylock-demo:'])];
        } catch (PayLock\Exception $e) {
            $note = " (Redis at $target did not answer: {$e->getMessage()})";
        }
    }
    $locks = "$dir/locks";
    return ["FileStore in $locks$note", fn() => new PayLock\FileStore($locks)];
}

/** One run: a fresh shop with the same catalog and orders, the same schedule, then the audit. */
function run_shop(string $label, bool $guarded, array $catalog, array $orders, array $schedule, callable $makeStore, string $dir): array
{
    $db = "$dir/$label.sqlite";
    Shop::create($db, $catalog, $orders);   // closed again before the fork
    $setup = function () use ($db, $guarded, $makeStore) {
        $shop = Shop::open($db);
        $p = $guarded ? new PayLockProtection($makeStore()) : new Unprotected();
        return fn(array $job) => handle($shop, $p, $job);
    };
    $storm = run_storm($label, $schedule, WORKERS, $setup, $dir);
    return Shop::open($db)->audit() + $storm + ['requests' => count($schedule)];
}

function print_intro(array $schedule, string $store, bool $broken): void
{
    $count = array_count_values(array_column($schedule, 'type'));
    echo "PayLock demo: a webhook storm on a SQLite shop, served by ", WORKERS, " worker processes\n";
    printf("  %d payment webhooks for %d pending orders (each event 3 times, duplicates at the same instant)\n",
        $count['webhook'], ORDERS);
    printf("  %d runs of the unpaid-order cron, hitting orders as their payment arrives\n", $count['cancel']);
    printf("  %d checkouts for the last %d units of a sneaker drop\n", $count['checkout'], HOT_UNITS);
    echo "  store: $store\n";
    if ($broken) {
        echo "  PAYLOCK_DEMO_BREAK=1: the PayLock column runs WITHOUT PayLock (self-check of the exit status)\n";
    }
    echo "\n";
}

/** The side-by-side table; true when the PayLock column is all zeros. */
function print_results(array $naive, array $paylock): bool
{
    $rows = [
        'double_captures' => 'double captures (charged twice)',
        'oversold' => 'oversold units',
        'negative' => 'negative stock (units below 0)',
        'miscounted' => 'stock miscounted (units)',
        'wrong_states' => 'wrong order states',
        'failed' => 'failed requests',
    ];
    printf("\n%-34s %10s %10s\n", '', 'naive', 'PayLock');
    foreach ($rows as $key => $title) {
        printf("%-34s %10d %10d\n", $title, $naive[$key], $paylock[$key]);
    }
    printf("%-34s %10.0f %10.0f\n", 'throughput (requests/s)',
        $naive['requests'] / $naive['seconds'], $paylock['requests'] / $paylock['seconds']);

    foreach (array_slice($paylock['errors'], 0, 3) as $error) {
        echo "  PayLock run error: $error\n";
    }
    $clean = array_sum(array_intersect_key($paylock, $rows)) === 0;
    echo $clean
        ? "\nPayLock: every payment captured once, no unit sold twice, every order in a consistent state.\n"
        : "\nFAIL: the PayLock column is not all zeros.\n";
    return $clean;
}
