<?php
// The storm: what the gateway, the cron and the buyers send at the shop, and the worker processes
// (PHP-FPM children, in real life) that serve it concurrently.

declare(strict_types=1);

const HOT_PRODUCT = 1;
const SOCKS = 2;          // the first everyday product (make_catalog numbers them from 2)

/** The catalog (id => [name, price in cents, stock]): one limited drop and everyday items. */
function make_catalog(int $hotUnits): array
{
    $catalog = [HOT_PRODUCT => ['Limited sneaker drop', 18900, $hotUnits]];
    foreach (['Socks', 'T-shirt', 'Cap', 'Hoodie', 'Laces', 'Tote bag', 'Water bottle', 'Sticker pack'] as $i => $name) {
        $catalog[$i + 2] = [$name, 500 + 700 * $i, 1000];
    }
    return $catalog;
}

/** Pending orders (id => items) of 1 to 3 everyday products, waiting for their payment webhook. */
function make_orders(array $catalog, int $count): array
{
    $everyday = array_keys(array_slice($catalog, 1, null, true));
    $orders = [];
    for ($id = 1; $id <= $count; $id++) {
        foreach ((array)array_rand(array_flip($everyday), mt_rand(1, 3)) as $productId) {
            $orders[$id][$productId] = mt_rand(1, 2);
        }
    }
    return $orders;
}

/**
 * The jobs in arrival order. Jobs that arrive at the same instant are adjacent, so idle workers pick
 * them up together: each payment event is delivered 3 times, usually 2 or 3 of them at once (the
 * gateway retried before the shop answered), the rest later; one order in four is hit by the
 * unpaid-order cron at the moment its payment arrives; all the buyers of the drop click at once.
 */
function make_schedule(array $catalog, array $orders, int $buyers): array
{
    $bursts = [];
    foreach ($orders as $id => $items) {
        $event = ['id' => 'evt_' . bin2hex(random_bytes(8)), 'order' => $id, 'amount' => order_total($catalog, $items)];
        $delivery = ['type' => 'webhook', 'event' => $event];
        $together = mt_rand(2, 3);
        $burst = array_fill(0, $together, $delivery);
        if ($id % 4 === 0) {
            array_splice($burst, mt_rand(0, $together), 0, [['type' => 'cancel', 'order' => $id]]);
        }
        $bursts[] = $burst;
        for ($late = $together; $late < 3; $late++) {
            $bursts[] = [$delivery];
        }
    }
    $bursts[] = array_map(fn($b) => ['type' => 'checkout', 'buyer' => "buyer-$b", 'cart' => drop_cart()], range(1, $buyers));
    shuffle($bursts);
    return array_merge(...$bursts);
}

/** One sneaker, sometimes with socks (two products: a MultiLock). */
function drop_cart(): array
{
    return mt_rand(0, 1) ? [HOT_PRODUCT => 1] : [HOT_PRODUCT => 1, SOCKS => 1];
}

function order_total(array $catalog, array $items): int
{
    $total = 0;
    foreach ($items as $productId => $qty) {
        $total += $catalog[$productId][1] * $qty;
    }
    return $total;
}

/** The next job index, handed out once across processes (a counter in a flock()ed file). */
final class SharedQueue
{
    private $fh;

    public function __construct(private readonly string $path, private readonly int $length)
    {
        file_put_contents($path, '0');
    }

    public function take(): ?int
    {
        $this->fh ??= fopen($this->path, 'r+');   // opened in the worker: its own file description
        flock($this->fh, LOCK_EX);
        rewind($this->fh);
        $next = (int)stream_get_contents($this->fh);
        rewind($this->fh);
        fwrite($this->fh, (string)($next + 1));
        flock($this->fh, LOCK_UN);
        return $next < $this->length ? $next : null;
    }
}

/**
 * Runs $schedule on $workers forked processes. $setup runs in each worker and returns its job handler.
 * Each finished job writes one byte to a socket ('.' done, 'x' failed) that feeds the progress bar.
 *
 * @return array{seconds: float, failed: int, errors: list<string>}
 */
function run_storm(string $label, array $schedule, int $workers, callable $setup, string $dir): array
{
    $queue = new SharedQueue("$dir/queue", count($schedule));
    $errorLog = "$dir/errors-$label.log";
    [$progress, $report] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
    $start = microtime(true);
    $pids = [];
    for ($w = 0; $w < $workers; $w++) {
        $pid = pcntl_fork();
        if ($pid === -1) {
            throw new RuntimeException('fork failed');
        }
        if ($pid === 0) {
            fclose($progress);
            exit(work($queue, $schedule, $setup, $report, $errorLog));
        }
        $pids[] = $pid;
    }
    fclose($report);
    $failed = follow_progress($label, $progress, count($schedule), $start);
    foreach ($pids as $pid) {
        pcntl_waitpid($pid, $status);
        if (!pcntl_wifexited($status) || pcntl_wexitstatus($status) !== 0) {
            $failed++;   // a worker that died mid-job
        }
    }
    $errors = is_file($errorLog) ? file($errorLog, FILE_IGNORE_NEW_LINES) : [];
    return ['seconds' => microtime(true) - $start, 'failed' => $failed, 'errors' => $errors];
}

/** A worker's life: take jobs until the schedule is done. */
function work(SharedQueue $queue, array $schedule, callable $setup, $report, string $errorLog): int
{
    $handle = $setup();
    while (($i = $queue->take()) !== null) {
        try {
            $handle($schedule[$i]);
            fwrite($report, '.');
        } catch (Throwable $e) {
            file_put_contents($errorLog, get_class($e) . ': ' . $e->getMessage() . "\n", FILE_APPEND | LOCK_EX);
            fwrite($report, 'x');
        }
    }
    return 0;
}

/** Draws the progress bar until every worker has hung up; returns the number of failed jobs. */
function follow_progress(string $label, $progress, int $total, float $start): int
{
    $done = $failed = 0;
    $live = stream_isatty(STDERR);   // redraw in place on a terminal; one line per run in a log
    $drawn = 0.0;
    while (!feof($progress)) {
        $read = [$progress];
        $none = null;
        if (@stream_select($read, $none, $none, 0, 50000) > 0) {   // @: a signal may interrupt it (EINTR)
            $bytes = (string)fread($progress, 8192);
            $done += strlen($bytes);
            $failed += substr_count($bytes, 'x');
        }
        if ($live && microtime(true) - $drawn >= 0.05) {
            draw_bar($label, $done, $total, $start, "\r");
            $drawn = microtime(true);
        }
    }
    draw_bar($label, $done, $total, $start, $live ? "\r" : '');
    fwrite(STDERR, "\n");
    return $failed;
}

function draw_bar(string $label, int $done, int $total, float $start, string $prefix): void
{
    $width = 40;
    $filled = $total ? intdiv($done * $width, $total) : $width;
    fprintf(STDERR, "%s  %-8s [%s%s] %4d/%d  %4.1f s", $prefix, $label, str_repeat('#', $filled),
        str_repeat('.', $width - $filled), $done, $total, microtime(true) - $start);
}
