<?php
/**
 * PayLock benchmark: idempotency guard latency against the seeds' userland pattern and the round-trip limit.
 *
 * Two operations, each in its own `php -n` process per variant, interleaved over rounds (median shown):
 *   replay  a delivery of a key that already completed: return the stored result, run nothing
 *   first   a new key: claim it, run an empty step, store its result (claim + complete)
 *   renew   (PayLock only) a first delivery whose step renews its claim once (run() option 'renew',
 *           Claim::refresh()): the cost of one renewal is renew - first
 * Variants:
 *   paylock       IdempotencyGuard::run() over RedisStore
 *   seed-getsetex phpredis GET, then SETEX of the serialized result on a miss: what the seeds (and most
 *                 plugins) do. Not safe: two concurrent deliveries both miss and both run the step.
 *   setnx-get     phpredis SET NX as the claim (GET on conflict to read the result, SET to complete): the
 *                 usual "fixed" userland pattern, still without owner check or crash handling
 *   paylock-file  IdempotencyGuard::run() over FileStore (no network: for scale), lock dir in the temp dir
 *   paylock-file-shm         the same on /dev/shm (tmpfs: fsync costs nothing there, so the difference to
 *                            paylock-file is what the record's fsync + dir fsync cost on the temp dir's disk)
 *   paylock-file-before      with --ext-before=PATH: the same as paylock-file with another build (e.g. main),
 *                            measured in the same rounds for a side-by-side before/after
 * The round-trip limit is redis-benchmark -c 1 SET: one round trip per SET, so replay (1 RTT) can reach
 * the SET rate at best and first (2 RTT) half of it. A MONITOR-watched run counts each variant's round trips.
 *
 *   php -n bench/idempotency.php --port=PORT [--iterations=20000] [--rounds=3] [--ext-before=PATH]
 *        [--json=bench/results/idempotency.json]
 * Internal: --worker=VARIANT --op=replay|first|renew prints one JSON line.
 */

declare(strict_types=1);

require_once __DIR__ . '/common.php';

const RESULT = ['status' => 'captured', 'charge' => 'ch_3NqK2pLk', 'amount' => 1999, 'currency' => 'eur'];

function variants(): array
{
    global $o;
    $before = ($o['ext-before'] ?? null) !== null ? ['paylock-file-before' => ['label' => 'PayLock IdempotencyGuard (FileStore, --ext-before)',
        'ext' => ['paylock'], 'redis' => false, 'before' => true]] : [];
    return $before + [
        'paylock' => ['label' => 'PayLock IdempotencyGuard (RedisStore)', 'ext' => ['paylock'], 'redis' => true],
        'seed-getsetex' => ['label' => 'phpredis GET + SETEX (seed pattern, racy)', 'ext' => ['redis'], 'redis' => true],
        'setnx-get' => ['label' => 'phpredis SET NX claim + GET/SET', 'ext' => ['redis'], 'redis' => true],
        'paylock-file' => ['label' => 'PayLock IdempotencyGuard (FileStore)', 'ext' => ['paylock'], 'redis' => false],
        'paylock-file-shm' => ['label' => 'PayLock IdempotencyGuard (FileStore, /dev/shm)', 'ext' => ['paylock'], 'redis' => false,
            'shm' => true],
    ];
}

function options(array $argv): array
{
    $o = ['port' => getenv('PAYLOCK_BENCH_REDIS_PORT') ?: null, 'iterations' => getenv('PAYLOCK_BENCH_ITERATIONS') ?: 20000,
        'rounds' => getenv('PAYLOCK_BENCH_ROUNDS') ?: 3, 'json' => __DIR__ . '/results/idempotency.json',
        'ext' => getenv('PAYLOCK_BENCH_EXT') ?: dirname(__DIR__) . '/modules/paylock.so', 'worker' => null, 'op' => null,
        'dir' => null, 'sync' => false, 'warmup' => null, 'ext-before' => getenv('PAYLOCK_BENCH_EXT_BEFORE') ?: null];
    foreach (array_slice($argv, 1) as $arg) {
        if ($arg === '--sync') {
            $o['sync'] = true;
        } elseif (preg_match('/^--(port|iterations|rounds|json|ext|ext-before|worker|op|dir|warmup)=(.*)$/s', $arg, $m)) {
            $o[$m[1]] = $m[2];
        } elseif (preg_match('/^\d+$/', $arg)) {
            $o['iterations'] = $arg;
        } else {
            fail("unknown argument '$arg'");
        }
    }
    $o['port'] !== null || fail('give the Redis port: --port=PORT (bench/run.sh starts a private redis)');
    foreach (['port', 'iterations', 'rounds'] as $k) {
        $o[$k] = (int)$o[$k];
        $o[$k] > 0 || fail("--$k must be a positive integer");
    }
    $o['warmup'] = $o['warmup'] === null ? max(500, intdiv($o['iterations'], 10)) : (int)$o['warmup'];
    return $o;
}

/* ---- worker: one variant, one operation ---- */

/** A closure doing one delivery of key $i (first) or of the one completed key (replay). */
function make_op(array $o, string $variant, string $op): Closure
{
    $tag = bin2hex(random_bytes(4));
    $step = static fn() => RESULT;
    $keyOf = $op === 'replay' ? static fn(int $i): string => "evt_replay_$tag" : static fn(int $i): string => "evt_{$tag}_$i";
    if ($variant === 'paylock' || str_starts_with($variant, 'paylock-file')) {
        $store = $variant === 'paylock' ? new PayLock\RedisStore("redis://127.0.0.1:{$o['port']}") : new PayLock\FileStore($o['dir']);
        $g = new PayLock\IdempotencyGuard($store);
        $renewing = static function (PayLock\Claim $c) use ($step): array {
            $c->refresh();
            return $step();
        };
        $run = $op === 'renew' ? static fn(string $k): array => $g->run($k, $renewing, null, 0.0, ['renew' => true])
            : static fn(string $k): array => $g->run($k, $step);
    } elseif ($variant === 'seed-getsetex' || $variant === 'setnx-get') {
        $r = new Redis();
        $r->pconnect('127.0.0.1', $o['port']);
        // On a miss both run the step and store its result; they differ in how they look first.
        $run = static function (string $k) use ($r, $step, $variant): array {
            if ($variant === 'seed-getsetex') {
                $v = $r->get("idem:$k");
            } elseif ($r->set("idem:$k", 'running', ['NX', 'EX' => 600]) === true) {
                $v = false;
            } elseif (($v = $r->get("idem:$k")) === 'running') {
                throw new RuntimeException('in progress');
            }
            if ($v !== false) {
                return unserialize($v, ['allowed_classes' => false]);
            }
            $res = $step();
            $r->setex("idem:$k", 86400, serialize($res));
            return $res;
        };
    } else {
        fail("unknown variant $variant");
    }
    $run($keyOf(-1)); // the replay key is completed before timing
    return static function (int $i) use ($run, $keyOf): void {
        $run($keyOf($i)) === RESULT || throw new RuntimeException('wrong result');
    };
}

function worker(array $o): void
{
    $op = make_op($o, $o['worker'], $o['op']);
    for ($i = 0; $i < $o['warmup']; $i++) {
        $op(-2 - $i);
    }
    if ($o['sync']) {
        fwrite(STDOUT, "ready\n");
        trim((string)fgets(STDIN)) === 'go' || fail('worker: no go');
    }
    $n = $o['iterations'];
    $t0 = hrtime(true);
    for ($i = 0; $i < $n; $i++) {
        $op($i);
    }
    $ns = hrtime(true) - $t0;
    fwrite(STDOUT, json_encode(['ops' => $n, 'ns' => $ns, 'us_per_op' => $ns / $n / 1000, 'ops_per_s' => $n / ($ns / 1e9)]) . "\n");
}

/* ---- parent ---- */

/** The operations measured for a variant: renewal exists only in PayLock. */
function ops_of(string $variant): array
{
    return in_array($variant, ['paylock', 'paylock-file'], true) ? ['replay', 'first', 'renew'] : ['replay', 'first'];
}

function worker_cmd(array $o, string $variant, string $op, int $iterations, int $warmup, bool $sync): array
{
    $cmd = [PHP_BINARY, '-n'];
    $v = variants()[$variant];
    $ext = !empty($v['before']) ? $o['ext-before'] : $o['ext'];
    foreach (ext_flags($v['ext'], $ext) as $f) {
        array_push($cmd, '-d', $f);
    }
    $dir = (!empty($v['shm']) ? '/dev/shm' : sys_get_temp_dir()) . "/paylock-bench-idem-{$o['pid']}-$variant";
    array_push($cmd, __FILE__, "--worker=$variant", "--op=$op", "--port={$o['port']}", "--iterations=$iterations",
        "--warmup=$warmup", "--ext=$ext", "--dir=$dir");
    if ($sync) {
        $cmd[] = '--sync';
    }
    return $cmd;
}

function measure(array $o, string $variant, string $op): array
{
    [$rc, $out, $err] = run_cmd(worker_cmd($o, $variant, $op, $o['iterations'], $o['warmup'], false));
    $res = json_decode(trim((string)strrchr("\n" . trim($out), "\n")), true);
    ($rc === 0 && is_array($res)) || fail("$variant/$op failed ($rc): " . trim($err . $out));
    return $res;
}

/** Round trips per operation: commands the client sent while MONITOR watched 200 operations. */
function round_trips(array $o, string $variant, string $op): float
{
    $n = 200;
    $seen = monitor_commands($o['port'], static function (callable $begin, callable $end) use ($o, $variant, $op, $n) {
        $p = proc_open(worker_cmd($o, $variant, $op, $n, 10, true), [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => ['file', '/dev/null', 'w']], $pipes);
        trim((string)fgets($pipes[1])) === 'ready' || fail("$variant/$op profile worker did not start");
        $begin();
        fwrite($pipes[0], "go\n");
        fclose($pipes[0]);
        stream_get_contents($pipes[1]);
        proc_close($p);
        $end();
    });
    return count(array_filter($seen, static fn($c) => $c[0] !== 'lua')) / $n;
}

function parent(array $o): void
{
    $o['pid'] = getmypid();
    $names = array_keys(variants());
    $samples = [];
    $limit = [];
    for ($round = 0; $round < $o['rounds']; $round++) {
        $order = array_merge(array_slice($names, $round % count($names)), array_slice($names, 0, $round % count($names)));
        foreach ($order as $v) {
            foreach (ops_of($v) as $op) {
                $samples[$v][$op][] = measure($o, $v, $op)['us_per_op'];
            }
        }
        [$rc, $out] = run_cmd(['redis-benchmark', '-h', '127.0.0.1', '-p', (string)$o['port'], '-c', '1', '-n',
            (string)max(20000, $o['iterations']), '-t', 'set', '-q']);
        preg_match_all('/SET: ([0-9.]+) requests per second/', $out, $m) || fail("redis-benchmark failed: $out");
        $limit[] = 1e6 / (float)end($m[1]); // µs per round trip
    }
    $rtt = median($limit);
    $rows = [];
    foreach ($names as $v) {
        foreach (ops_of($v) as $op) {
            $us = median($samples[$v][$op]);
            $trips = variants()[$v]['redis'] ? round_trips($o, $v, $op) : 0.0;
            $rows[$v][$op] = ['us' => $us, 'round_trips' => $trips];
        }
    }
    foreach (array_keys(variants()) as $v) {
        foreach ([sys_get_temp_dir(), '/dev/shm'] as $base) {
            $d = "$base/paylock-bench-idem-{$o['pid']}-$v";
            @array_map('unlink', glob("$d/*") ?: []);
            @rmdir($d);
        }
    }

    printf("\nIdempotency guard: median of %d rounds x %d operations per variant; one round trip = %.2f µs (redis-benchmark -c 1 SET)\n\n",
        $o['rounds'], $o['iterations'], $rtt);
    printf("| %-44s | %-30s | %-30s |\n", 'variant', 'replay (completed key)', 'first delivery (claim+complete)');
    printf("|%s|%s|%s|\n", str_repeat('-', 46), str_repeat('-', 32), str_repeat('-', 32));
    printf("| %-44s | %-30s | %-30s |\n", 'round-trip limit', sprintf('%.2f µs, 1 RTT', $rtt), sprintf('%.2f µs, 2 RTT', 2 * $rtt));
    foreach ($rows as $v => $r) {
        $cell = static function (array $c, float $lim, bool $net): string {
            return $net ? sprintf('%.2f µs, %s RTT, %.2fx limit', $c['us'], rtrim(rtrim(number_format($c['round_trips'], 2), '0'), '.'), $lim / $c['us'])
                : sprintf('%.2f µs (no network)', $c['us']);
        };
        $net = variants()[$v]['redis'];
        printf("| %-44s | %-30s | %-30s |\n", variants()[$v]['label'], $cell($r['replay'], $rtt, $net), $cell($r['first'], 2 * $rtt, $net));
    }
    foreach (['paylock', 'paylock-file'] as $v) {
        $r = $rows[$v];
        printf("Renewal (%s): first delivery with one refresh() %.2f µs%s: +%.2f µs per refresh()\n", $v, $r['renew']['us'],
            variants()[$v]['redis'] ? sprintf(', %s RTT', rtrim(rtrim(number_format($r['renew']['round_trips'], 2), '0'), '.')) : '',
            $r['renew']['us'] - $r['first']['us']);
    }
    $pr = $rows['paylock'];
    $seed = $rows['seed-getsetex'];
    printf("\nPayLock vs seed GET+SETEX: replay %.2fx, first delivery %.2fx (time ratio, >1 = PayLock faster)\n",
        $seed['replay']['us'] / $pr['replay']['us'], $seed['first']['us'] / $pr['first']['us']);
    @mkdir(dirname($o['json']), 0777, true);
    file_put_contents($o['json'], json_encode(['rtt_us' => $rtt, 'rows' => $rows, 'iterations' => $o['iterations'],
        'rounds' => $o['rounds'], 'git' => git_head(), 'loadavg' => loadavg()], JSON_PRETTY_PRINT) . "\n");
}

$o = options($argv); // global: variants() reads --ext-before
$o['worker'] !== null ? worker($o) : parent($o);
