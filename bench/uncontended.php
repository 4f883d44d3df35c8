<?php
/**
 * PayLock benchmark: uncontended acquire+release cycles per second against peers.
 *
 * One process, one lock name, each cycle = acquire, then release, nobody else competing. Every
 * variant runs in its own `php -n` process that loads only the extensions it needs; runs are
 * interleaved (the order rotates every round) so machine noise hits all variants alike, and each
 * number is the median of the rounds. The round-trip limit comes from `redis-benchmark -c 1 -t set`:
 * a lock cycle needs two round trips (acquire, release), so the best any client can do is SET rate / 2.
 *
 * After the timed rounds, short extra runs per variant show where a cycle's time goes: MONITOR counts
 * round trips (commands the client sent) and commands run inside Lua, INFO commandstats gives the time
 * Redis spent executing them, getrusage() the client's own CPU time.
 *
 *   php -n bench/uncontended.php --port=PORT [--iterations=20000] [--rounds=3] [--warmup=N]
 *        [--only=paylock,phpredis,...] [--no-monitor] [--json=bench/results/uncontended.json] [--ext-b=PATH]
 *
 * --ext-b=PATH adds the variant paylock-b: PayLock's cycle with another build of paylock.so (an A/B of two
 * builds in the same rounds); the summary then gives the median of the per-round ratios B / A, and of
 * PayLock / phpredis for both builds when phpredis ran.
 *
 * Environment defaults: PAYLOCK_BENCH_REDIS_PORT, PAYLOCK_BENCH_ITERATIONS, PAYLOCK_BENCH_ROUNDS,
 * PAYLOCK_BENCH_EXT (path to paylock.so). Normally started by bench/run.sh, which brings its own redis.
 *
 * Internal: `--worker=VARIANT` runs one measurement and prints one JSON line (used by the parent).
 */

declare(strict_types=1);

require_once __DIR__ . '/common.php';

const LOCK_TTL_S = 30;
const SET_TTL_MS = 30000;
/** The compare-and-delete release everyone writes by hand (same as the Redis docs' pattern). */
const RELEASE_LUA = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

/**
 * The variants. 'ext' = which extensions the worker process loads: 'paylock', 'redis' (phpredis).
 * 'autoload' = Debian autoloaders it requires.
 */
function variants(): array
{
    $b = ($GLOBALS['o']['ext-b'] ?? null) !== null ? ['paylock-b' => [
        'label' => 'PayLock, build B (--ext-b)',
        'ext' => ['paylock'],
        'autoload' => [],
        'ini' => ['paylock.metrics=off'],
        'build-b' => true,
    ]] : [];
    return $b + [
        'paylock' => [
            'label' => 'PayLock (Lock over RedisStore)',
            'ext' => ['paylock'],
            'autoload' => [],
            'ini' => ['paylock.metrics=off'],
        ],
        // The same cycle with the shared-memory metrics on: must stay within 3% of 'paylock'.
        'paylock-metrics' => [
            'label' => 'PayLock, paylock.metrics=on',
            'ext' => ['paylock'],
            'autoload' => [],
            'ini' => ['paylock.metrics=on'],
        ],
        'phpredis' => [
            'label' => 'phpredis SET NX PX + EVALSHA',
            'ext' => ['redis'],
            'autoload' => [],
        ],
        'predis' => [
            'label' => 'predis SET NX PX + EVALSHA',
            'ext' => [],
            'autoload' => ['/usr/share/php/Predis/autoload.php'],
        ],
        'symfony' => [
            'label' => 'symfony/lock RedisStore (phpredis)',
            'ext' => ['redis'],
            'autoload' => ['/usr/share/php/Symfony/Component/Lock/autoload.php'],
        ],
        'malkusch-phpredis' => [
            'label' => 'malkusch/lock PHPRedisMutex',
            'ext' => ['redis'],
            'autoload' => ['/usr/share/php/Malkusch/Lock/autoload.php'],
        ],
        'malkusch-predis' => [
            'label' => 'malkusch/lock PredisMutex',
            'ext' => [],
            'autoload' => ['/usr/share/php/Malkusch/Lock/autoload.php', '/usr/share/php/Predis/autoload.php'],
        ],
    ];
}

function options(array $argv): array
{
    $o = [
        'port' => getenv('PAYLOCK_BENCH_REDIS_PORT') ?: null,
        'iterations' => getenv('PAYLOCK_BENCH_ITERATIONS') ?: 20000,
        'rounds' => getenv('PAYLOCK_BENCH_ROUNDS') ?: 3,
        'warmup' => null,
        'only' => null,
        'monitor' => true,
        'json' => __DIR__ . '/results/uncontended.json',
        'ext' => getenv('PAYLOCK_BENCH_EXT') ?: dirname(__DIR__) . '/modules/paylock.so',
        'worker' => null,
        'sync' => false,
        'ext-b' => null,
    ];
    foreach (array_slice($argv, 1) as $arg) {
        if ($arg === '--no-monitor') {
            $o['monitor'] = false;
        } elseif ($arg === '--sync') {
            $o['sync'] = true;
        } elseif ($arg === '-h' || $arg === '--help') {
            fwrite(STDOUT, "usage: php -n bench/uncontended.php --port=PORT [--iterations=N] [--rounds=N] [--warmup=N]"
                . " [--only=a,b] [--no-monitor] [--json=PATH]\nvariants: " . implode(', ', array_keys(variants())) . "\n");
            exit(0);
        } elseif (preg_match('/^--(port|iterations|rounds|warmup|only|json|ext|ext-b|worker)=(.*)$/s', $arg, $m)) {
            $o[$m[1]] = $m[2];
        } elseif (preg_match('/^\d+$/', $arg)) {
            $o['iterations'] = $arg; // a bare number is the iteration count
        } else {
            fail("unknown argument '$arg' (try --help)");
        }
    }
    if ($o['port'] === null || !preg_match('/^\d+$/', (string)$o['port'])) {
        fail('give the Redis port: --port=PORT or PAYLOCK_BENCH_REDIS_PORT (bench/run.sh starts a private redis)');
    }
    foreach (['port', 'iterations', 'rounds'] as $k) {
        $o[$k] = (int)$o[$k];
        if ($o[$k] <= 0) {
            fail("--$k must be a positive integer");
        }
    }
    $o['warmup'] = $o['warmup'] === null ? max(500, intdiv($o['iterations'], 10)) : max(0, (int)$o['warmup']);
    return $o;
}

/* ------------------------------------------------------------------------------------------------
 * Worker side: one variant, one process.
 * ---------------------------------------------------------------------------------------------- */

/** Returns a closure doing one acquire+release cycle; it throws when a cycle does not succeed. */
function make_cycle(string $variant, int $port): Closure
{
    $name = "bench:uncontended:$variant";
    switch ($variant) {
        case 'paylock-metrics':
            str_contains(PayLock\metrics(), '# TYPE') || fail('paylock-metrics: the metrics are off in the worker');
            // fall through: the same cycle
        case 'paylock':
        case 'paylock-b': // the same cycle, another build loaded
            $store = new PayLock\RedisStore("redis://127.0.0.1:$port"); // persistent by default
            $lock = new PayLock\Lock($store, $name, (float)LOCK_TTL_S);
            return static function () use ($lock): void {
                if (!$lock->acquire(0.0)) {
                    throw new RuntimeException('PayLock: acquire returned false');
                }
                if (!$lock->release()) {
                    throw new RuntimeException('PayLock: release returned false');
                }
            };

        case 'phpredis':
            $redis = new Redis();
            $redis->pconnect('127.0.0.1', $port);
            $sha = $redis->script('load', RELEASE_LUA);
            return static function () use ($redis, $sha, $name): void {
                $token = bin2hex(random_bytes(16));
                if ($redis->set($name, $token, ['NX', 'PX' => SET_TTL_MS]) !== true) {
                    throw new RuntimeException('phpredis: SET NX did not take the lock');
                }
                if ($redis->evalSha($sha, [$name, $token], 1) !== 1) {
                    throw new RuntimeException('phpredis: release script did not delete the key');
                }
            };

        case 'predis':
            $client = new Predis\Client(['scheme' => 'tcp', 'host' => '127.0.0.1', 'port' => $port, 'persistent' => true]);
            $sha = $client->script('load', RELEASE_LUA);
            return static function () use ($client, $sha, $name): void {
                $token = bin2hex(random_bytes(16));
                if ($client->set($name, $token, 'PX', SET_TTL_MS, 'NX') === null) {
                    throw new RuntimeException('predis: SET NX did not take the lock');
                }
                if ($client->evalsha($sha, 1, $name, $token) !== 1) {
                    throw new RuntimeException('predis: release script did not delete the key');
                }
            };

        case 'symfony':
            $redis = new Redis();
            $redis->pconnect('127.0.0.1', $port);
            $factory = new Symfony\Component\Lock\LockFactory(new Symfony\Component\Lock\Store\RedisStore($redis));
            $lock = $factory->createLock($name, LOCK_TTL_S);
            return static function () use ($lock): void {
                if (!$lock->acquire()) {
                    throw new RuntimeException('symfony: acquire returned false');
                }
                $lock->release(); // throws LockReleasingException on failure
            };

        case 'malkusch-phpredis':
        case 'malkusch-predis':
            if ($variant === 'malkusch-phpredis') {
                $client = new Redis();
                $client->pconnect('127.0.0.1', $port);
                $mutex = new malkusch\lock\mutex\PHPRedisMutex([$client], $name, LOCK_TTL_S);
            } else {
                $client = new Predis\Client(['scheme' => 'tcp', 'host' => '127.0.0.1', 'port' => $port, 'persistent' => true]);
                $mutex = new malkusch\lock\mutex\PredisMutex([$client], $name, LOCK_TTL_S);
            }
            $body = static fn() => null;
            // synchronized() throws when it cannot lock (after its timeout) or cannot unlock.
            return static function () use ($mutex, $body): void {
                $mutex->synchronized($body);
            };
    }
    fail("unknown variant '$variant'");
}

function worker(array $o): void
{
    $v = variants()[$o['worker']] ?? fail("unknown variant '{$o['worker']}'");
    foreach ($v['autoload'] as $file) {
        is_file($file) || fail("$file is missing (see bench/run.sh for the Debian packages)");
        require_once $file;
    }
    $cycle = make_cycle($o['worker'], $o['port']);
    for ($i = 0; $i < $o['warmup']; $i++) {
        $cycle();
    }
    if ($o['sync']) {
        // Parent watches the wire: tell it we are warm, then wait for its go (blocking read).
        fwrite(STDOUT, "ready\n");
        if (trim((string)fgets(STDIN)) !== 'go') {
            fail('worker: parent did not say go');
        }
    }
    $n = $o['iterations'];
    $ru0 = getrusage();
    $t0 = hrtime(true);
    for ($i = 0; $i < $n; $i++) {
        $cycle();
    }
    $ns = hrtime(true) - $t0;
    $ru1 = getrusage();
    $cpu = static fn(array $r, string $k): float => $r["ru_$k.tv_sec"] * 1e6 + $r["ru_$k.tv_usec"];
    fwrite(STDOUT, json_encode(['variant' => $o['worker'], 'cycles' => $n, 'ns' => $ns, 'cps' => $n / ($ns / 1e9),
        'client_user_us' => ($cpu($ru1, 'utime') - $cpu($ru0, 'utime')) / $n,
        'client_sys_us' => ($cpu($ru1, 'stime') - $cpu($ru0, 'stime')) / $n]) . "\n");
}

/* ------------------------------------------------------------------------------------------------
 * Parent side: spawn workers, interleave, take medians, print and save.
 * ---------------------------------------------------------------------------------------------- */

function worker_cmd(array $o, string $variant, int $iterations, int $warmup, bool $sync): array
{
    $cmd = [PHP_BINARY, '-n'];
    $ext = !empty(variants()[$variant]['build-b']) ? $o['ext-b'] : $o['ext'];
    foreach ([...ext_flags(variants()[$variant]['ext'], $ext), ...variants()[$variant]['ini'] ?? []] as $f) {
        array_push($cmd, '-d', $f);
    }
    array_push($cmd, __FILE__, "--worker=$variant", "--port={$o['port']}", "--iterations=$iterations",
        "--warmup=$warmup", "--ext=$ext");
    if ($o['ext-b'] !== null) {
        $cmd[] = "--ext-b={$o['ext-b']}";
    }
    if ($sync) {
        $cmd[] = '--sync';
    }
    return $cmd;
}

function parse_worker(string $variant, array $r): array
{
    [$rc, $out, $err] = $r;
    $line = trim((string)strrchr("\n" . trim($out), "\n"));
    $res = json_decode($line, true);
    if ($rc !== 0 || !is_array($res) || !isset($res['cps'])) {
        // proc_close() hands back the raw signal number when the child was killed, e.g. 7 = SIGBUS when
        // paylock.so was rewritten under a running worker (bench/run.sh benchmarks a private copy).
        fail("variant $variant failed (exit status $rc):\n" . trim($err . "\n" . $out));
    }
    if (trim($err) !== '') {
        fwrite(STDERR, "[$variant] " . trim($err) . "\n");
    }
    return $res;
}

function run_variant(array $o, string $variant): array
{
    return parse_worker($variant, run_cmd(worker_cmd($o, $variant, $o['iterations'], $o['warmup'], false)));
}

/** redis-benchmark's single-connection SET rate: the loopback round-trip limit. */
function run_redis_benchmark(array $o, int $n): float
{
    [$rc, $out, $err] = run_cmd(['redis-benchmark', '-h', '127.0.0.1', '-p', (string)$o['port'], '-c', '1',
        '-n', (string)$n, '-t', 'set', '-q']);
    // -q still prints progress with \r; the final line reads "SET: 45045.04 requests per second, p50=...".
    if ($rc !== 0 || !preg_match_all('/SET: ([0-9.]+) requests per second/', $out, $m)) {
        fail("redis-benchmark failed (exit $rc): " . trim($err . $out));
    }
    return (float)end($m[1]);
}

/**
 * Runs a warmed-up worker for $cycles cycles in lock-step with the parent: $before runs when the worker
 * is warm (before its timed loop), $after when it has finished.
 */
function synced_run(array $o, string $variant, int $cycles, callable $before, callable $after): void
{
    $errf = tmpfile();
    $p = proc_open(worker_cmd($o, $variant, $cycles, 50, true), [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => $errf], $pipes);
    $p !== false || fail("cannot start the $variant worker");
    $ready = fgets($pipes[1]);
    if (trim((string)$ready) !== 'ready') {
        rewind($errf);
        fail("variant $variant (profile run) did not get ready: " . trim($ready . stream_get_contents($pipes[1]) . stream_get_contents($errf)));
    }
    $before();
    fwrite($pipes[0], "go\n");
    fclose($pipes[0]);
    $out = stream_get_contents($pipes[1]);
    fclose($pipes[1]);
    $rc = proc_close($p);
    rewind($errf);
    parse_worker($variant, [$rc, $out, stream_get_contents($errf)]);
    fclose($errf);
    $after();
}

/**
 * What one cycle costs on the wire and in Redis. A short run watched by MONITOR counts the commands the
 * client sent (= round trips: nothing here pipelines) and the commands scripts ran inside Redis
 * (MONITOR shows those as [0 lua]). A second, unwatched run reads INFO commandstats for the time Redis
 * spent executing the client's commands (a script's time includes the commands it calls).
 */
function wire_profile(array $o, string $variant): array
{
    $cycles = 200;
    $seen = monitor_commands($o['port'], static function (callable $begin, callable $end) use ($o, $variant, $cycles) {
        synced_run($o, $variant, $cycles, $begin, $end);
    });
    $client = 0;
    $lua = 0;
    $names = [];
    $top = [];
    foreach ($seen as [$source, $cmd]) {
        if ($source === 'lua') {
            $lua++;
            $names['lua:' . $cmd] = ($names['lua:' . $cmd] ?? 0) + 1;
        } else {
            $client++;
            $top[strtolower($cmd)] = true;
            $names[$cmd] = ($names[$cmd] ?? 0) + 1;
        }
    }
    $ctl = resp_connect($o['port']);
    $per = [];
    foreach ($names as $k => $c) {
        $per[$k] = round($c / $cycles, 2);
    }

    $statCycles = 2000;
    $usec = 0;
    synced_run($o, $variant, $statCycles,
        static function () use ($ctl) { resp_call($ctl, 'CONFIG', 'RESETSTAT'); },
        static function () use ($ctl, $top, &$usec) {
            $stats = (string)resp_call($ctl, 'INFO', 'commandstats');
            preg_match_all('/^cmdstat_([^:]+):calls=\d+,usec=(\d+)/m', $stats, $mm, PREG_SET_ORDER);
            foreach ($mm as [, $name, $us]) {
                if (isset($top[$name])) { // only what the client sent: script internals are inside those
                    $usec += (int)$us;
                }
            }
        });
    fclose($ctl);
    return ['cycles' => $cycles, 'round_trips_per_cycle' => round($client / $cycles, 2),
        'script_commands_per_cycle' => round($lua / $cycles, 2), 'commands_per_cycle' => $per,
        'server_us_per_cycle' => round($usec / $statCycles, 2)];
}

function num(float $x, int $dec = 2): string
{
    return rtrim(rtrim(number_format($x, $dec, '.', ''), '0'), '.');
}

function parent(array $o): void
{
    $all = variants();
    $names = $o['only'] === null ? array_keys($all) : array_map('trim', explode(',', $o['only']));
    foreach ($names as $n) {
        isset($all[$n]) || fail("unknown variant '$n'; known: " . implode(', ', array_keys($all)));
    }
    $names = array_values(array_unique(array_merge(['paylock'], $names))); // PayLock is the reference
    if ($o['ext-b'] !== null) {
        $names = array_values(array_unique(array_merge($names, ['paylock-b']))); // --ext-b: always next to A
    }
    $rbN = 100000;

    $ctl = resp_connect($o['port']);
    $info = (string)resp_call($ctl, 'INFO', 'server');
    preg_match('/redis_version:(\S+)/', $info, $m);
    $redisVersion = $m[1] ?? '?';
    $load0 = loadavg();

    fprintf(STDERR, "uncontended: %d cycles per run (+%d warm-up), %d rounds, redis %s on 127.0.0.1:%d, load %s\n",
        $o['iterations'], $o['warmup'], $o['rounds'], $redisVersion, $o['port'], $load0 ?? '?');
    $placement = getenv('PAYLOCK_BENCH_PLACEMENT') ?: 'not pinned';

    // Warm the server once (result discarded).
    run_redis_benchmark($o, 10000);

    $jobs = array_merge(['@limit'], $names);
    $runs = array_fill_keys($jobs, []);
    $t0 = hrtime(true);
    for ($round = 0; $round < $o['rounds']; $round++) {
        // Rotate the order each round so no variant always runs first or right after another one.
        $k = $round % count($jobs);
        $order = array_merge(array_slice($jobs, $k), array_slice($jobs, 0, $k));
        foreach ($order as $job) {
            if ($job === '@limit') {
                $r = ['cps' => run_redis_benchmark($o, $rbN)];
            } else {
                $r = run_variant($o, $job);
            }
            $runs[$job][] = $r;
            fprintf(STDERR, "  round %d/%d  %-20s %12s /s\n", $round + 1, $o['rounds'],
                $job === '@limit' ? 'redis-benchmark SET' : $job, fmt_rate($r['cps']));
        }
    }
    $elapsed = (hrtime(true) - $t0) / 1e9;

    $wire = [];
    if ($o['monitor']) {
        fwrite(STDERR, "  profiling the wire (MONITOR, INFO commandstats)\n");
        foreach ($names as $n) {
            $wire[$n] = wire_profile($o, $n);
        }
    }
    fclose($ctl);
    $load1 = loadavg();

    $col = static fn(array $rs, string $k): array => array_column($rs, $k);
    $setRate = median($col($runs['@limit'], 'cps'));
    $limit = $setRate / 2;
    $paylock = median($col($runs['paylock'], 'cps'));
    $rows = [];
    foreach ($names as $n) {
        $cps = median($col($runs[$n], 'cps'));
        $rows[$n] = [
            'label' => $all[$n]['label'],
            'cycles_per_s' => round($cps, 1),
            'us_per_cycle' => round(1e6 / $cps, 2),
            'ratio_vs_limit' => round($cps / $limit, 3),
            'ratio_vs_paylock' => round($cps / $paylock, 3),
            'runs_cycles_per_s' => array_map(static fn($x) => round($x, 1), $col($runs[$n], 'cps')),
            'client_cpu_us_per_cycle' => [
                'user' => round(median($col($runs[$n], 'client_user_us')), 2),
                'sys' => round(median($col($runs[$n], 'client_sys_us')), 2),
                'total' => round(median(array_map(static fn($r) => $r['client_user_us'] + $r['client_sys_us'], $runs[$n])), 2),
            ],
            'wire' => $wire[$n] ?? null,
        ];
    }

    // The table. sprintf pads bytes and 'µ' is two, so columns holding it get one byte more.
    $fmt = "%-40s %11s %10s %9s %11s\n";
    $hdr = sprintf("%-40s %11s %11s %9s %11s", 'variant', 'cycles/s', 'µs/cycle', 'vs limit', 'vs PayLock');
    $rule = str_repeat('-', preg_match_all('/./us', $hdr)) . "\n";
    $out = "\nUncontended acquire+release, 1 process, 1 name: median of {$o['rounds']} rounds x {$o['iterations']} cycles\n";
    $out .= $hdr . "\n" . $rule;
    $out .= sprintf($fmt, 'round-trip limit (redis-benchmark SET / 2)', fmt_rate($limit), number_format(1e6 / $limit, 2),
        '1.00x', sprintf('%.2fx', $limit / $paylock));
    foreach ($rows as $r) {
        $out .= sprintf($fmt, $r['label'], fmt_rate($r['cycles_per_s']), number_format($r['us_per_cycle'], 2),
            sprintf('%.2fx', $r['ratio_vs_limit']), sprintf('%.2fx', $r['ratio_vs_paylock']));
    }
    $out .= sprintf("\nredis-benchmark -c 1 -n %d -t set: median %s SET/s (runs: %s)\n", $rbN, fmt_rate($setRate),
        implode(', ', array_map('fmt_rate', $col($runs['@limit'], 'cps'))));
    $out .= "cycles/s per round:\n";
    foreach ($rows as $n => $r) {
        $out .= sprintf("  %-18s %s\n", $n, implode(', ', array_map('fmt_rate', $r['runs_cycles_per_s'])));
    }

    // Where the time goes.
    $fmt2 = "%-18s %5s %9s %10s  %s\n";
    $out .= "\nPer cycle: round trips, time Redis spent executing them, client CPU time (user+sys), commands seen by MONITOR\n";
    $out .= sprintf("%-18s %5s %10s %11s  %s\n", 'variant', 'RTT', 'redis µs', 'client µs', 'commands (lua: = inside a script)');
    foreach ($rows as $n => $r) {
        $w = $r['wire'];
        $cmds = [];
        foreach ($w['commands_per_cycle'] ?? [] as $c => $x) {
            $cmds[] = num($x) . " $c";
        }
        // user and sys come from tick sampling, only their sum is exact; the JSON has both.
        $out .= sprintf($fmt2, $n, $w ? num($w['round_trips_per_cycle']) : '-', $w ? number_format($w['server_us_per_cycle'], 2) : '-',
            number_format($r['client_cpu_us_per_cycle']['total'], 2), $w ? implode(', ', $cmds) : '(--no-monitor)');
    }

    $pl = $rows['paylock'];
    $ahead = array_keys(array_filter($rows, static fn($r, $n) => !str_starts_with($n, 'paylock') && $r['cycles_per_s'] >= $pl['cycles_per_s'],
        ARRAY_FILTER_USE_BOTH));
    $out .= sprintf("\nTarget PayLock >= 0.90x limit: %s (%.2fx%s)\n", $pl['ratio_vs_limit'] >= 0.9 ? 'met' : 'NOT met',
        $pl['ratio_vs_limit'], $pl['ratio_vs_limit'] >= 0.9 ? '' : sprintf(', %.0f%% below the target', (0.9 - $pl['ratio_vs_limit']) / 0.9 * 100));
    $out .= 'Target PayLock ahead of every peer: ' . ($ahead ? 'NOT met (faster: ' . implode(', ', $ahead) . ')' : 'met') . "\n";
    $paired = [];
    // Per-round ratios of variants that ran in the same round (the order rotates), medians over the rounds.
    $pair = static fn(string $x, string $y): array => array_map(static fn($a, $b) => $a['cps'] / $b['cps'], $runs[$x], $runs[$y]);
    foreach ([['paylock', 'phpredis'], ['paylock-b', 'phpredis'], ['paylock-b', 'paylock']] as [$x, $y]) {
        if (isset($runs[$x], $runs[$y])) {
            $r = $pair($x, $y);
            $paired["$x/$y"] = ['median' => round(median($r), 4), 'per_round' => array_map(static fn($v) => round($v, 4), $r)];
            $out .= sprintf("Paired %s / %s: %.3fx (median of per-round ratios %s)\n", $x, $y, median($r),
                implode(' ', array_map(static fn($v) => sprintf('%.3f', $v), $r)));
        }
    }
    $metrics = null;
    if (isset($runs['paylock-metrics'])) {
        // Per-round ratios: the two runs of a round ran seconds apart, so machine drift cancels out.
        $ratios = array_map(static fn($on, $off) => $on['cps'] / $off['cps'], $runs['paylock-metrics'], $runs['paylock']);
        $metrics = ['ratio_on_vs_off' => round(median($ratios), 4), 'per_round' => array_map(static fn($x) => round($x, 4), $ratios),
            'min' => 0.97, 'met' => median($ratios) >= 0.97];
        // The client's own CPU per cycle is steadier than wall time on a shared machine: say it too.
        $metrics['client_cpu_us_on'] = $rows['paylock-metrics']['client_cpu_us_per_cycle']['total'];
        $metrics['client_cpu_us_off'] = $rows['paylock']['client_cpu_us_per_cycle']['total'];
        $out .= sprintf("Target metrics on >= 0.97x metrics off: %s (%.3fx, median of per-round ratios %s; client CPU %.2f vs %.2f µs/cycle)\n",
            $metrics['met'] ? 'met' : 'NOT met', $metrics['ratio_on_vs_off'],
            implode(' ', array_map(static fn($x) => sprintf('%.3f', $x), $ratios)), $metrics['client_cpu_us_on'], $metrics['client_cpu_us_off']);
    }
    $out .= sprintf("Timed rounds took %.1f s; load average %s before, %s after; CPU placement: %s.\n", $elapsed,
        $load0 ?? '?', $load1 ?? '?', $placement);
    fwrite(STDOUT, $out);

    $json = [
        'benchmark' => 'uncontended',
        'what' => 'acquire+release cycles per second, one process, one lock name, no contention',
        'date' => gmdate('c'),
        'iterations' => $o['iterations'],
        'warmup' => $o['warmup'],
        'rounds' => $o['rounds'],
        'statistic' => 'median over rounds',
        'php' => PHP_VERSION,
        'redis' => $redisVersion,
        'host' => ['uname' => php_uname(), 'cpus' => cpu_count(), 'loadavg_before' => $load0, 'loadavg_after' => $load1],
        ...build_provenance($o),
        'cpu_placement' => getenv('PAYLOCK_BENCH_PLACEMENT') ?: 'not pinned',
        'limit' => [
            'source' => "redis-benchmark -h 127.0.0.1 -c 1 -n $rbN -t set -q",
            'set_per_s' => round($setRate, 1),
            'runs_set_per_s' => $col($runs['@limit'], 'cps'),
            'round_trips_per_cycle' => 2,
            'cycles_per_s' => round($limit, 1),
        ],
        'variants' => $rows,
        'targets' => [
            'paylock_ratio_vs_limit_min' => 0.9,
            'paylock_ratio_vs_limit_met' => $pl['ratio_vs_limit'] >= 0.9,
            'paylock_ahead_of_every_peer' => !$ahead,
            'metrics_on_vs_off' => $metrics,
        ],
        'paired' => $paired,
    ];
    if ($o['json'] !== '') {
        write_results_json($o['json'], $json);
    }
}

$o = options($argv);
if ($o['worker'] !== null) {
    worker($o);
} else {
    parent($o);
}
