<?php
/**
 * TLS and plain uncontended cycles side by side (see bench/README.md, "TLS"): PayLock over redis:// and
 * rediss:// (and, with --base-ext, an older build over redis:// for an A/B of the plain path), phpredis
 * by hand over plain TCP and over tls://, against the round-trip limits redis-benchmark -c 1 measures
 * with and without --tls. Each variant runs in its own php process; the order rotates every round.
 *
 *   php -n bench/tls.php --port=P --tls-port=T --ca=CA.crt --ext=paylock.so [--base-ext=old.so]
 *        [--iterations=N] [--rounds=N] [--json=bench/results/tls.json]
 * bench/run.sh starts a redis-server with both ports (certificates from tests/_support/tls.sh).
 */

declare(strict_types=1);

require __DIR__ . '/common.php';

const RELEASE_LUA = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";
const SET_TTL_MS = 30000;

/** name => [label, extensions to load, TLS?] */
function tls_variants(bool $base): array
{
    $v = [
        'paylock' => ['PayLock redis://', ['paylock'], false],
        'paylock-tls' => ['PayLock rediss://', ['paylock'], true],
        'phpredis' => ['phpredis SET NX PX + EVALSHA', ['redis'], false],
        'phpredis-tls' => ['phpredis tls:// SET NX PX + EVALSHA', ['redis'], true],
    ];
    if ($base) {
        $v['paylock-base'] = ['PayLock redis:// (--base-ext build)', ['paylock'], false];
    }
    return $v;
}

function tls_options(array $argv): array
{
    $o = ['port' => null, 'tls-port' => null, 'ca' => null, 'ext' => dirname(__DIR__) . '/modules/paylock.so',
        'base-ext' => null, 'iterations' => 20000, 'rounds' => 5, 'warmup' => null, 'worker' => null,
        'json' => __DIR__ . '/results/tls.json'];
    foreach (array_slice($argv, 1) as $arg) {
        if (preg_match('/^\d+$/', $arg)) {
            $o['iterations'] = $arg; // a bare number is the iteration count, as in uncontended.php
            continue;
        }
        preg_match('/^--(port|tls-port|ca|ext|base-ext|iterations|rounds|warmup|worker|json)=(.*)$/s', $arg, $m)
            || fail("unknown argument '$arg'");
        $o[$m[1]] = $m[2];
    }
    foreach (['port', 'tls-port', 'ca'] as $k) {
        $o[$k] !== null || fail("--$k is required (bench/run.sh passes them)");
    }
    $o['iterations'] = (int)$o['iterations'];
    $o['rounds'] = (int)$o['rounds'];
    $o['warmup'] = $o['warmup'] === null ? max(500, intdiv($o['iterations'], 10)) : (int)$o['warmup'];
    return $o;
}

function tls_cycle(string $variant, array $o): Closure
{
    $name = "bench:tls:$variant";
    $port = (int)$o['port'];
    $tport = (int)$o['tls-port'];
    if (str_starts_with($variant, 'paylock')) {
        $tls = $variant === 'paylock-tls';
        $store = new PayLock\RedisStore($tls ? "rediss://127.0.0.1:$tport" : "redis://127.0.0.1:$port",
            $tls ? ['tls' => ['cafile' => $o['ca']]] : []);
        $lock = new PayLock\Lock($store, $name, 30.0);
        return static function () use ($lock): void {
            $lock->acquire(0.0) && $lock->release() || throw new RuntimeException('PayLock cycle failed');
        };
    }
    $redis = new Redis();
    if ($variant === 'phpredis-tls') {
        $redis->pconnect('tls://127.0.0.1', $tport, 0, 'bench-tls', 0, 0,
            ['stream' => ['cafile' => $o['ca'], 'verify_peer' => true, 'verify_peer_name' => true, 'peer_name' => '127.0.0.1']]);
    } else {
        $redis->pconnect('127.0.0.1', $port);
    }
    $sha = $redis->script('load', RELEASE_LUA);
    return static function () use ($redis, $sha, $name): void {
        $token = bin2hex(random_bytes(16));
        $redis->set($name, $token, ['NX', 'PX' => SET_TTL_MS]) === true || throw new RuntimeException('phpredis: SET NX failed');
        $redis->evalSha($sha, [$name, $token], 1) === 1 || throw new RuntimeException('phpredis: release failed');
    };
}

function tls_worker(array $o): void
{
    $cycle = tls_cycle($o['worker'], $o);
    for ($i = 0; $i < $o['warmup']; $i++) {
        $cycle();
    }
    $t0 = hrtime(true);
    for ($i = 0; $i < $o['iterations']; $i++) {
        $cycle();
    }
    echo json_encode(['cps' => $o['iterations'] / ((hrtime(true) - $t0) / 1e9)]), "\n";
}

function tls_run(array $o, string $variant): float
{
    $ext = $variant === 'paylock-base' ? $o['base-ext'] : $o['ext'];
    $cmd = [PHP_BINARY, '-n'];
    foreach (ext_flags(tls_variants(false)[$variant === 'paylock-base' ? 'paylock' : $variant][1], $ext) as $f) {
        array_push($cmd, '-d', $f);
    }
    array_push($cmd, __FILE__, "--worker=$variant");
    foreach (['port', 'tls-port', 'ca', 'iterations', 'warmup'] as $k) {
        $cmd[] = "--$k={$o[$k]}";
    }
    [$rc, $out, $err] = run_cmd($cmd);
    $r = json_decode(trim((string)strrchr("\n" . trim($out), "\n")), true);
    ($rc === 0 && isset($r['cps'])) || fail("variant $variant failed (exit $rc): " . trim($err . $out));
    return (float)$r['cps'];
}

/** redis-benchmark -c 1 SET rate, plain or --tls: the round-trip limit is half of it per lock cycle. */
function tls_limit(array $o, bool $tls): float
{
    $cmd = ['redis-benchmark', '-h', '127.0.0.1', '-c', '1', '-n', (string)(2 * $o['iterations']), '-t', 'set', '-q'];
    array_push($cmd, '-p', (string)($tls ? $o['tls-port'] : $o['port']));
    if ($tls) {
        array_push($cmd, '--tls', '--cacert', $o['ca']);
    }
    [$rc, $out, $err] = run_cmd($cmd);
    ($rc === 0 && preg_match_all('/SET: ([0-9.]+) requests per second/', $out, $m)) || fail('redis-benchmark failed: ' . trim($err . $out));
    return (float)end($m[1]) / 2;
}

$o = tls_options($argv);
if ($o['worker'] !== null) {
    tls_worker($o);
    exit(0);
}
$variants = tls_variants($o['base-ext'] !== null);
$names = array_merge(array_keys($variants), ['limit', 'limit-tls']);
$runs = array_fill_keys($names, []);
for ($round = 0; $round < $o['rounds']; $round++) {
    $order = array_merge(array_slice($names, $round % count($names)), array_slice($names, 0, $round % count($names)));
    foreach ($order as $n) {
        $runs[$n][] = match ($n) {
            'limit' => tls_limit($o, false),
            'limit-tls' => tls_limit($o, true),
            default => tls_run($o, $n),
        };
    }
}
$med = array_map('median', $runs);
printf("%-40s %12s %10s %10s %s\n", 'variant', 'cycles/s', 'µs/cycle', 'vs limit', 'rounds');
$rows = [];
foreach ($variants as $n => [$label, , $tls]) {
    $limit = $med[$tls ? 'limit-tls' : 'limit'];
    $rows[$n] = ['label' => $label, 'tls' => $tls, 'cycles_per_s' => $med[$n], 'vs_limit' => $med[$n] / $limit, 'rounds' => $runs[$n]];
    printf("%-40s %12s %10.1f %9.2fx %s\n", $label, fmt_rate($med[$n]), 1e6 / $med[$n], $med[$n] / $limit,
        implode(' ', array_map(static fn($x) => fmt_rate($x), $runs[$n])));
}
printf("%-40s %12s  (redis-benchmark -c 1 SET / 2)\n", 'limit, plain', fmt_rate($med['limit']));
printf("%-40s %12s  (redis-benchmark --tls -c 1 SET / 2)\n", 'limit, TLS', fmt_rate($med['limit-tls']));
$ratio = static fn(string $a, string $b): float => median(array_map(static fn($x, $y) => $x / $y, $runs[$a], $runs[$b]));
$checks = [
    'PayLock rediss:// >= 0.90x the TLS limit' => $rows['paylock-tls']['vs_limit'] >= 0.9,
    'PayLock rediss:// ahead of phpredis tls://' => $ratio('paylock-tls', 'phpredis-tls') >= 1.0,
    'PayLock redis:// >= 0.90x the plain limit' => $rows['paylock']['vs_limit'] >= 0.9,
    'PayLock redis:// ahead of phpredis' => $ratio('paylock', 'phpredis') >= 1.0,
];
printf("ratios (median per round): rediss/phpredis-tls %.2fx, redis/phpredis %.2fx, rediss/redis %.2fx\n",
    $ratio('paylock-tls', 'phpredis-tls'), $ratio('paylock', 'phpredis'), $ratio('paylock-tls', 'paylock'));
if (isset($variants['paylock-base'])) {
    printf("plain A/B: this build / --base-ext build %.3fx (median of per-round ratios)\n", $ratio('paylock', 'paylock-base'));
}
foreach ($checks as $what => $ok) {
    echo ($ok ? 'met' : 'NOT met'), ": $what\n";
}
@mkdir(dirname($o['json']), 0777, true);
file_put_contents($o['json'], json_encode(['iterations' => $o['iterations'], 'rounds' => $o['rounds'], 'loadavg' => loadavg(),
    'git' => git_head(), 'limits' => ['plain' => $med['limit'], 'tls' => $med['limit-tls']], 'variants' => $rows], JSON_PRETTY_PRINT) . "\n");
