<?php
/**
 * PayLock benchmark, contention: P processes x C cycles on one lock name, for PayLock (RedisStore,
 * FileStore), symfony/lock 5.4 (RedisStore, FlockStore) and malkusch/lock 2.2 (PHPRedisMutex, FlockMutex).
 *
 * Each run forks P processes (pcntl_fork) that start together (they all block on a socket until the
 * parent closes it). Each does C cycles: acquire; critical section = read a shared counter file, sleep
 * --hold-us (1 ms), write counter+1; release; think usleep(random_int(0, --think-us)) (0-2 ms). The
 * counter has no locking of its own, so a lock that lets two holders in loses updates.
 *
 * Reported per (variant, P): lock utilisation = time inside critical sections / wall time, where wall
 * = from the first acquire() call of any process to the end of the last release(); wait = time spent in
 * acquire() (p50/p99/max); mean cycle time = wall / completed cycles; FIFO bound = (P-1) x mean cycle
 * time (what a waiter in a FIFO queue waits at most); lost updates = completed cycles - final counter;
 * overlapping critical sections (monotonic clock, the same in every process); timeouts; ops/s; the CPU
 * time of all processes per cycle.
 *
 *   php -n bench/contention.php [--port=PORT] [--ext=modules/paylock.so] [--procs=8,32,128] [--cycles=40]
 *        [--only=paylock-redis,...] [--rounds=1] [--hold-us=1000] [--think-us=2000] [--wait=60]
 *        [--slow-cycles=0] [--lock-dir=/dev/shm] [--run-timeout=300] [--json=bench/results/contention.json]
 *
 * The default run (6 variants x 8, 32 and 128 processes, 40 cycles each) takes about 1 min on 2 CPUs.
 * Without --port (or PAYLOCK_BENCH_REDIS_PORT) the Redis variants are skipped; bench/run.sh passes its
 * private redis-server. PAYLOCK_BENCH_CONTENDED_CPUS (a taskset CPU list) sets the CPU affinity of the
 * runs (bench/run.sh: every CPU it may use). The hidden variant `nolock` (--only=nolock) takes no lock at
 * all: it must show lost updates, which proves the counter catches races.
 *
 * Internal: --worker=VARIANT --procs=P runs one contended run and prints one JSON line.
 */

declare(strict_types=1);

require_once __DIR__ . '/common.php';

const SYMFONY_AUTOLOAD = '/usr/share/php/Symfony/Component/Lock/autoload.php';
const MALKUSCH_AUTOLOAD = '/usr/share/php/Malkusch/Lock/autoload.php';
/** Lease of every Redis lock (s); far longer than any critical section here. */
const LEASE_S = 30;
/** The variant the ratios and the targets refer to. */
const REFERENCE = 'paylock-redis';

/**
 * The variants. ext: extensions the worker loads (posix is for killing children on a time-out);
 * autoload: Debian autoloaders (package in 'pkg'); preload: classes loaded before the fork, so the
 * children do not each read them; redis: needs --port; slow: sleeps 10 ms and more between tries, so
 * --slow-cycles=N (off by default) caps its cycles per process at P >= 128; default: in the default set.
 */
function variants(): array
{
    $sf = ['Symfony\Component\Lock\LockFactory', 'Symfony\Component\Lock\Lock', 'Symfony\Component\Lock\Key'];
    return [
        'paylock-redis' => ['label' => 'PayLock RedisStore, Lock::acquire(WAIT)', 'ext' => ['paylock', 'posix'], 'autoload' => [],
            'preload' => [], 'redis' => true, 'slow' => false, 'default' => true],
        'paylock-file' => ['label' => 'PayLock FileStore, Lock::acquire(WAIT)', 'ext' => ['paylock', 'posix'], 'autoload' => [],
            'preload' => [], 'redis' => false, 'slow' => false, 'default' => true],
        'symfony-redis' => ['label' => 'symfony/lock 5.4 RedisStore (phpredis), acquire(true): retries every 90-110 ms',
            'ext' => ['redis', 'posix'], 'autoload' => [SYMFONY_AUTOLOAD], 'pkg' => 'php-symfony-lock',
            'preload' => array_merge($sf, ['Symfony\Component\Lock\Store\RedisStore']), 'redis' => true, 'slow' => true, 'default' => true],
        'symfony-flock' => ['label' => 'symfony/lock 5.4 FlockStore, acquire(true): blocking flock()', 'ext' => ['posix'],
            'autoload' => [SYMFONY_AUTOLOAD], 'pkg' => 'php-symfony-lock',
            'preload' => array_merge($sf, ['Symfony\Component\Lock\Store\FlockStore']), 'redis' => false, 'slow' => false, 'default' => true],
        'malkusch-redis' => ['label' => 'malkusch/lock 2.2 PHPRedisMutex, synchronized(): backoff 10-500 ms, timeout WAIT s',
            'ext' => ['redis', 'posix'], 'autoload' => [MALKUSCH_AUTOLOAD], 'pkg' => 'php-malkusch-lock',
            'preload' => ['malkusch\lock\mutex\PHPRedisMutex', 'malkusch\lock\util\Loop', 'malkusch\lock\exception\TimeoutException'],
            'redis' => true, 'slow' => true, 'default' => true],
        'malkusch-flock' => ['label' => 'malkusch/lock 2.2 FlockMutex (no timeout), synchronized(): blocking flock()', 'ext' => ['posix'],
            'autoload' => [MALKUSCH_AUTOLOAD], 'pkg' => 'php-malkusch-lock', 'preload' => ['malkusch\lock\mutex\FlockMutex'],
            'redis' => false, 'slow' => false, 'default' => true],
        'nolock' => ['label' => 'no lock at all (checks that the counter catches races)', 'ext' => ['posix'], 'autoload' => [],
            'preload' => [], 'redis' => false, 'slow' => false, 'default' => false],
    ];
}

function options(array $argv): array
{
    $o = [
        'port' => getenv('PAYLOCK_BENCH_REDIS_PORT') ?: null,
        'ext' => getenv('PAYLOCK_BENCH_EXT') ?: dirname(__DIR__) . '/modules/paylock.so',
        'json' => __DIR__ . '/results/contention.json',
        'procs' => '8,32,128',
        'cycles' => 40,
        'only' => null,
        'rounds' => 1,
        'hold-us' => 1000,
        'think-us' => 2000,
        'wait' => 60,
        'slow-cycles' => 0,
        'lock-dir' => null,
        'run-timeout' => 300,
        // worker-only
        'worker' => null,
        'dir' => null,
        'name' => null,
    ];
    foreach (array_slice($argv, 1) as $arg) {
        if ($arg === '-h' || $arg === '--help') {
            fwrite(STDOUT, "usage: php -n bench/contention.php [--port=PORT] [--ext=PATH] [--procs=8,32,128] [--cycles=40]\n"
                . "       [--only=a,b] [--rounds=1] [--hold-us=1000] [--think-us=2000] [--wait=60] [--slow-cycles=0]\n"
                . "       [--lock-dir=/dev/shm] [--run-timeout=300] [--json=PATH]\n"
                . 'variants: ' . implode(', ', array_keys(array_filter(variants(), static fn($v) => $v['default'])))
                . " (and nolock: no lock, to check the lost-update detector)\n");
            exit(0);
        } elseif (preg_match('/^--(port|ext|json|procs|cycles|only|rounds|hold-us|think-us|wait|slow-cycles|lock-dir|run-timeout|worker|dir|name)=(.*)$/s',
            $arg, $m)) {
            $o[$m[1]] = $m[2];
        } else {
            fail("unknown argument '$arg' (try --help)");
        }
    }
    $o['port'] = port_option($o['port']);
    $procs = [];
    foreach (explode(',', (string)$o['procs']) as $p) {
        preg_match('/^\s*\d+\s*$/', $p) && (int)$p >= 1 || fail('--procs must be a comma-separated list of positive integers');
        $procs[] = (int)$p;
    }
    $o['procs'] = $procs;
    foreach (['cycles', 'rounds', 'run-timeout'] as $k) {
        $o[$k] = (int)$o[$k];
        $o[$k] > 0 || fail("--$k must be a positive integer");
    }
    foreach (['hold-us', 'think-us', 'slow-cycles'] as $k) {
        $o[$k] = max(0, (int)$o[$k]);
    }
    $o['wait'] = (int)$o['wait']; // an int: malkusch/lock takes whole seconds
    $o['wait'] > 0 || fail('--wait must be a positive number of seconds');
    return $o;
}

/* ------------------------------------------------------------------------------------------------
 * Worker side: one run of one variant with P processes.
 * ---------------------------------------------------------------------------------------------- */

/**
 * What one process uses to run a critical section under the lock: a closure that takes the lock, calls
 * $cs, releases, and returns true; false when acquiring timed out. Built after the fork, so no
 * connection or file descriptor is shared between processes.
 */
function make_runner(string $variant, array $o, string $locks, string $name): Closure
{
    $wait = $o['wait'];
    $port = (int)$o['port'];
    switch ($variant) {
        case 'paylock-redis':
        case 'paylock-file':
            $store = $variant === 'paylock-redis'
                ? new PayLock\RedisStore("redis://127.0.0.1:$port", ['persistent' => true])
                : new PayLock\FileStore($locks);
            if ($store instanceof PayLock\RedisStore) {
                $store->ping() || throw new RuntimeException('PayLock: ping failed'); // connect now, like the peers
            }
            $lock = new PayLock\Lock($store, $name, (float)LEASE_S);
            return static function (callable $cs) use ($lock, $wait): bool {
                if (!$lock->acquire((float)$wait)) {
                    return false;
                }
                try {
                    $cs();
                } finally {
                    $lock->release() || throw new RuntimeException('PayLock: release returned false');
                }
                return true;
            };

        case 'symfony-redis':
        case 'symfony-flock':
            if ($variant === 'symfony-redis') {
                $redis = new Redis();
                $redis->pconnect('127.0.0.1', $port);
                $store = new Symfony\Component\Lock\Store\RedisStore($redis);
            } else {
                $store = new Symfony\Component\Lock\Store\FlockStore($locks);
            }
            $lock = (new Symfony\Component\Lock\LockFactory($store))->createLock($name, LEASE_S);
            // acquire(true) has no time limit: it returns true or throws.
            return static function (callable $cs) use ($lock): bool {
                $lock->acquire(true) || throw new RuntimeException('symfony: acquire(true) returned false');
                try {
                    $cs();
                } finally {
                    $lock->release(); // throws LockReleasingException on failure
                }
                return true;
            };

        case 'malkusch-redis':
        case 'malkusch-flock':
            if ($variant === 'malkusch-redis') {
                $redis = new Redis();
                $redis->pconnect('127.0.0.1', $port);
                // One $timeout (whole seconds) is both how long synchronized() tries and the key's expiry
                // (timeout + 1 s); it throws TimeoutException when the time is up.
                $mutex = new malkusch\lock\mutex\PHPRedisMutex([$redis], $name, $wait);
            } else {
                $h = fopen("$locks/malkusch.lock", 'c');
                $h !== false || throw new RuntimeException("cannot open $locks/malkusch.lock");
                $mutex = new malkusch\lock\mutex\FlockMutex($h); // no timeout: a blocking flock(LOCK_EX)
            }
            return static function (callable $cs) use ($mutex): bool {
                try {
                    $mutex->synchronized($cs);
                } catch (malkusch\lock\exception\TimeoutException) {
                    return false;
                }
                return true;
            };

        case 'nolock':
            return static function (callable $cs): bool {
                $cs();
                return true;
            };
    }
    throw new RuntimeException("unknown variant '$variant'");
}

/** One contending process: runs the cycles and writes its samples to $resultFile; returns the exit status. */
function child(array $o, string $variant, string $dir, $gate, string $resultFile): int
{
    $res = ['waits' => [], 'held' => [], 'start' => 0, 'end' => 0, 'timeouts' => 0, 'timeout_waits' => [], 'errors' => [],
        'stats' => null];
    try {
        $run = make_runner($variant, $o, "$dir/locks", (string)$o['name']);
    } catch (Throwable $e) {
        $res['errors'][] = 'setup: ' . get_class($e) . ': ' . $e->getMessage();
        file_put_contents($resultFile, json_encode($res));
        return 1;
    }
    fread($gate, 1); // blocks until the parent closes its end
    fclose($gate);
    if (!is_file("$dir/go")) {
        return 2; // the parent died before the start: do not run unsupervised
    }
    $counter = "$dir/counter";
    $hold = $o['hold-us'];
    $think = $o['think-us'];
    $t1 = $t2 = 0;
    // The protected work: a read-modify-write of a fixed-width counter (overwritten in place) with the
    // sleep between the read and the write, so that a lock that lets two holders in loses updates.
    $cs = static function () use (&$t1, &$t2, $counter, $hold): void {
        $t1 = hrtime(true);
        $h = fopen($counter, 'r+');
        $h !== false || throw new RuntimeException("cannot open $counter");
        $v = (int)fread($h, 32);
        if ($hold > 0) {
            usleep($hold);
        }
        rewind($h);
        fwrite($h, sprintf('%020d', $v + 1));
        fclose($h);
        $t2 = hrtime(true);
    };
    for ($i = 0; $i < $o['cycles']; $i++) {
        $t1 = $t2 = 0;
        $t0 = hrtime(true);
        if ($i === 0) {
            $res['start'] = $t0;
        }
        $error = null;
        try {
            $ok = $run($cs);
        } catch (Throwable $e) {
            $ok = false;
            $error = get_class($e) . ': ' . $e->getMessage();
        }
        $t3 = hrtime(true);
        if ($t2 !== 0) {
            // The critical section ran (even if the release then failed): it counts.
            $res['waits'][] = $t1 - $t0;
            $res['held'][] = [$t1, $t2, $t0, $t3]; // t0, t3: for the hand-off gaps (bench/handoff.php)
            $res['end'] = $t3;
        }
        if ($error !== null) {
            $res['errors'][] = $error;
            break; // errors (connection refused, ...) repeat; one is enough
        }
        if (!$ok) {
            $res['timeouts']++;
            $res['timeout_waits'][] = $t3 - $t0;
        }
        if ($think > 0) {
            usleep(random_int(0, $think));
        }
    }
    $res['stats'] = function_exists('PayLock\stats') ? PayLock\stats() : null;
    file_put_contents($resultFile, json_encode($res)) !== false || fail("cannot write $resultFile");
    return 0;
}

function worker(array $o): void
{
    $variant = (string)$o['worker'];
    $v = variants()[$variant] ?? fail("unknown variant '$variant'");
    count($o['procs']) === 1 || fail('--worker takes one --procs value');
    $n = $o['procs'][0];
    foreach (['pcntl_fork', 'posix_kill', 'posix_getppid'] as $f) {
        function_exists($f) || fail("$f() is missing (pcntl is built into Debian's CLI; posix is loaded with -d extension=posix)");
    }
    foreach ($v['autoload'] as $f) {
        is_file($f) || fail("$f is missing (apt-get install {$v['pkg']})");
        require_once $f;
    }
    foreach ($v['ext'] as $e) {
        extension_loaded($e) || fail("PHP extension $e did not load");
    }
    foreach ($v['preload'] as $class) {
        class_exists($class) || fail("class $class not found");
    }
    $dir = (string)$o['dir'];
    is_dir($dir) || fail("--dir=$dir is not a directory");
    @mkdir("$dir/locks", 0700);
    file_put_contents("$dir/counter", sprintf('%020d', 0)) !== false || fail("cannot write $dir/counter");

    [$gateR, $gateW] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP) ?: fail('stream_socket_pair failed');
    $self = getmypid();
    $alive = []; // pid => child number
    // Whatever ends this process (fail(), a time-out, SIGTERM) takes the children with it.
    register_shutdown_function(static function () use ($self, &$alive): void {
        if (getmypid() !== $self || !$alive) {
            return;
        }
        foreach (array_keys($alive) as $pid) {
            posix_kill($pid, SIGKILL);
        }
        foreach (array_keys($alive) as $pid) {
            pcntl_waitpid($pid, $status);
        }
        fwrite(STDERR, 'contention worker: killed ' . count($alive) . " children\n");
        $alive = [];
    });
    for ($c = 0; $c < $n; $c++) {
        $pid = pcntl_fork();
        $pid >= 0 || fail("fork failed after $c children");
        if ($pid === 0) {
            $alive = [];
            fclose($gateW);
            exit(child($o, $variant, $dir, $gateR, "$dir/result.$c.json"));
        }
        $alive[$pid] = $c;
    }
    // A watchdog, once a second: ends the run (and so the children) when it takes longer than
    // --run-timeout, or when the parent is gone (nobody would read the result).
    pcntl_async_signals(true);
    $timeout = $o['run-timeout'];
    $ppid = posix_getppid();
    $deadline = hrtime(true) + $timeout * 1_000_000_000;
    pcntl_signal(SIGALRM, static function () use ($timeout, $ppid, $deadline): void {
        if (hrtime(true) >= $deadline) {
            fwrite(STDERR, "contention worker: the run took longer than $timeout s (--run-timeout)\n");
            exit(3);
        }
        if (posix_getppid() !== $ppid) {
            fwrite(STDERR, "contention worker: the parent is gone\n");
            exit(4);
        }
        pcntl_alarm(1);
    });
    pcntl_signal(SIGTERM, static fn() => exit(143));
    touch("$dir/go") || fail("cannot create $dir/go");
    fclose($gateR);
    fclose($gateW); // EOF on every child's end: go
    pcntl_alarm(1);

    $failed = [];
    $cpuUs = 0.0;
    $csw = 0;
    while ($alive) {
        $ru = [];
        $pid = pcntl_wait($status, 0, $ru);
        if ($pid <= 0) {
            if (pcntl_get_last_error() === PCNTL_EINTR) {
                continue;
            }
            fail('waiting for the children failed: ' . pcntl_strerror(pcntl_get_last_error()));
        }
        if (!isset($alive[$pid])) {
            continue;
        }
        $c = $alive[$pid];
        unset($alive[$pid]);
        $cpuUs += ($ru['ru_utime.tv_sec'] ?? 0) * 1e6 + ($ru['ru_utime.tv_usec'] ?? 0)
            + ($ru['ru_stime.tv_sec'] ?? 0) * 1e6 + ($ru['ru_stime.tv_usec'] ?? 0);
        $csw += $ru['ru_nvcsw'] ?? 0;
        if (!pcntl_wifexited($status) || pcntl_wexitstatus($status) !== 0) {
            $failed[] = "child $c: " . (pcntl_wifsignaled($status) ? 'signal ' . pcntl_wtermsig($status) : 'exit ' . pcntl_wexitstatus($status));
        }
    }
    pcntl_alarm(0);

    $waits = [];
    $timeoutWaits = [];
    $intervals = [];
    $start = PHP_INT_MAX;
    $end = 0;
    $timeouts = 0;
    $errors = [];
    $stats = null;
    for ($c = 0; $c < $n; $c++) {
        $r = json_decode((string)@file_get_contents("$dir/result.$c.json"), true);
        if (!is_array($r)) {
            $errors[] = "child $c wrote no result";
            continue;
        }
        array_push($waits, ...$r['waits']);
        array_push($timeoutWaits, ...$r['timeout_waits']);
        array_push($intervals, ...$r['held']);
        if ($r['start'] > 0) {
            $start = min($start, $r['start']);
        }
        $end = max($end, $r['end']);
        $timeouts += $r['timeouts'];
        array_push($errors, ...$r['errors']);
        foreach ($r['stats'] ?? [] as $k => $x) {
            if (is_int($x) || is_float($x)) {
                $stats[$k] = ($stats[$k] ?? 0) + $x;
            }
        }
    }
    [$overlaps, $heldNs] = overlaps_and_held($intervals);
    // Hand-off gaps: from the end of one critical section to the start of the next, where the next holder
    // was already waiting; with the releaser's release() call and what came after its reply.
    usort($intervals, static fn($a, $b) => $a[0] <=> $b[0]);
    $gaps = [];
    for ($i = 0; $i + 1 < count($intervals); $i++) {
        [, $end, , $relDone] = $intervals[$i] + [2 => 0, 3 => 0];
        [$next, , $asked] = $intervals[$i + 1] + [2 => PHP_INT_MAX];
        if ($asked < $end && $relDone > 0) {
            $gaps[] = [$next - $end, $relDone - $end, $next - $relDone];
        }
    }
    $counter = (int)trim((string)file_get_contents("$dir/counter"));
    $errors = array_merge($errors, $failed); // the children's own messages first: they say why
    fwrite(STDOUT, json_encode([
        'variant' => $variant,
        'procs' => $n,
        'cycles_per_proc' => $o['cycles'],
        'expected' => $n * $o['cycles'],
        'completed' => count($intervals),
        'wall_ns' => $end > $start ? $end - $start : 0,
        'held_ns' => $heldNs,
        'waits_ns' => $waits,
        'timeouts' => $timeouts,
        'timeout_waits_ns' => $timeoutWaits,
        'counter' => $counter,
        'lost_updates' => count($intervals) - $counter,
        'overlaps' => $overlaps,
        'handoff_gaps_ns' => $gaps,
        'cpu_us' => $cpuUs,
        'voluntary_csw' => $csw,
        'errors' => array_slice($errors, 0, 10),
        'error_count' => count($errors),
        'paylock_stats' => $stats,
        'versions' => ['paylock' => phpversion('paylock') ?: null, 'phpredis' => phpversion('redis') ?: null],
    ]) . "\n");
}

/* ------------------------------------------------------------------------------------------------
 * Parent side: one worker per (P, round, variant), metrics, tables, targets, JSON.
 * ---------------------------------------------------------------------------------------------- */

function worker_cmd(array $o, string $variant, int $procs, int $cycles, string $dir, string $name): array
{
    $cmd = [PHP_BINARY, '-n'];
    foreach (ext_flags(variants()[$variant]['ext'], $o['ext']) as $f) {
        array_push($cmd, '-d', $f);
    }
    array_push($cmd, __FILE__, "--worker=$variant", "--procs=$procs", "--cycles=$cycles", "--hold-us={$o['hold-us']}",
        "--think-us={$o['think-us']}", "--wait={$o['wait']}", "--run-timeout={$o['run-timeout']}", "--dir=$dir", "--name=$name");
    if ($o['port'] !== null) {
        $cmd[] = "--port={$o['port']}";
    }
    return $cmd;
}

/** The metrics of one run (times in ms). */
function run_metrics(array $r): array
{
    $waits = $r['waits_ns'];
    sort($waits);
    $done = $r['completed'];
    $wallNs = max(1, $r['wall_ns']);
    $cycleMs = $done > 0 ? $wallNs / $done / 1e6 : NAN;
    $boundMs = ($r['procs'] - 1) * $cycleMs;
    $p99 = percentile($waits, 99) / 1e6;
    return [
        'utilisation' => $r['held_ns'] / $wallNs,
        'wall_ms' => $wallNs / 1e6,
        'ops_per_s' => $done / ($wallNs / 1e9),
        'cycle_ms' => $cycleMs,
        'hold_ms' => $done > 0 ? $r['held_ns'] / $done / 1e6 : NAN,
        'wait_p50_ms' => percentile($waits, 50) / 1e6,
        'wait_p99_ms' => $p99,
        'wait_max_ms' => percentile($waits, 100) / 1e6,
        'wait_mean_ms' => $waits ? array_sum($waits) / count($waits) / 1e6 : NAN,
        'fifo_bound_ms' => $boundMs,
        'p99_over_bound' => $boundMs > 0 ? $p99 / $boundMs : NAN,
        'cpu_us_per_cycle' => $done > 0 ? $r['cpu_us'] / $done : NAN,
        'csw_per_cycle' => $done > 0 ? $r['voluntary_csw'] / $done : NAN,
        // counts: summed over rounds
        'completed' => $done,
        'expected' => $r['expected'],
        'lost_updates' => $r['lost_updates'],
        'overlaps' => $r['overlaps'],
        'timeouts' => $r['timeouts'],
        'error_count' => $r['error_count'],
    ];
}

const SUMMED = ['completed', 'expected', 'lost_updates', 'overlaps', 'timeouts', 'error_count'];

/** Per-round metrics -> one row: the median of each metric over the rounds, counts summed. */
function combine_rounds(array $ms): array
{
    $row = [];
    foreach (array_keys($ms[0]) as $k) {
        $xs = array_column($ms, $k);
        if (in_array($k, SUMMED, true)) {
            $row[$k] = array_sum($xs);
        } else {
            $xs = array_filter($xs, static fn($x) => !is_nan((float)$x));
            $row[$k] = $xs ? median($xs) : NAN;
        }
    }
    return $row;
}

function cell(float $x, int $dec = 2): string
{
    return is_nan($x) ? '-' : number_format($x, $dec, '.', '');
}

/** JSON cannot hold NAN: null instead, and floats rounded. */
function json_clean(mixed $x): mixed
{
    if (is_float($x)) {
        return is_nan($x) || is_infinite($x) ? null : round($x, 4);
    }
    return is_array($x) ? array_map('json_clean', $x) : $x;
}

function dpkg_version(string $pkg): ?string
{
    $q = find_exe('dpkg-query');
    if ($q === null) {
        return null;
    }
    [$rc, $out] = run_cmd([$q, '-W', '-f=${Version}', $pkg]);
    return $rc === 0 && trim($out) !== '' ? trim($out) : null;
}

function parent(array $o): void
{
    $t00 = hrtime(true);
    $load0 = loadavg();
    $all = variants();
    if ($o['only'] !== null) {
        $selected = array_values(array_unique(array_filter(array_map('trim', explode(',', (string)$o['only'])))));
        foreach ($selected as $id) {
            isset($all[$id]) || fail("unknown variant '$id' (known: " . implode(', ', array_keys($all)) . ')');
        }
    } else {
        $selected = array_keys(array_filter($all, static fn($v) => $v['default']));
    }
    $selected || fail('no variants selected');

    // Variants that cannot run here are reported, not fatal.
    $skipped = [];
    foreach ($selected as $id) {
        $v = $all[$id];
        if ($v['redis'] && $o['port'] === null) {
            $skipped[$id] = 'no --port (bench/run.sh passes its private redis-server)';
        } elseif (in_array('paylock', $v['ext'], true) && !is_file($o['ext'])) {
            $skipped[$id] = "{$o['ext']} is missing";
        } else {
            foreach ($v['autoload'] as $f) {
                if (!is_file($f)) {
                    $skipped[$id] = "$f is missing (apt-get install {$v['pkg']})";
                }
            }
        }
    }
    $run = array_values(array_filter($selected, static fn($id) => !isset($skipped[$id])));

    // Lock directories and counter files: tmpfs (/dev/shm) unless told otherwise, so the file system
    // does not dominate the flock variants.
    $base = $o['lock-dir'] ?? (is_dir('/dev/shm') && is_writable('/dev/shm') ? '/dev/shm' : sys_get_temp_dir());
    is_dir($base) && is_writable($base) || fail("$base is not a writable directory");
    $scratch = make_scratch($base, 'paylock-contention');
    $self = getmypid();
    register_shutdown_function(static function () use ($scratch, $self): void {
        if (getmypid() === $self) {
            rm_tree($scratch);
        }
    });
    $fsType = fs_type($scratch);
    // Interrupted: exit() runs the clean-up above. PHP runs the handler once the current run_cmd() returns
    // (Ctrl-C also ends the worker and its children: same process group); a worker whose parent is gone
    // ends its run within a second (its watchdog).
    pcntl_async_signals(true);
    pcntl_signal(SIGINT, static fn() => exit(130));
    pcntl_signal(SIGTERM, static fn() => exit(143));

    $cpus = (string)getenv('PAYLOCK_BENCH_CONTENDED_CPUS');
    $taskset = $cpus !== '' ? find_exe('taskset') : null;
    $prefix = $taskset !== null ? [$taskset, '-c', $cpus] : [];
    $placement = $prefix ? "taskset -c $cpus" : 'inherited (not pinned by contention.php)';

    $redisVersion = null;
    if ($o['port'] !== null) {
        $ctl = resp_connect($o['port']);
        $info = (string)resp_call($ctl, 'INFO', 'server');
        $redisVersion = preg_match('/^redis_version:(\S+)/m', $info, $m) ? $m[1] : null;
        fclose($ctl);
    }

    $cyclesFor = static function (string $id, int $p) use ($o, $all): int {
        return $all[$id]['slow'] && $p >= 128 && $o['slow-cycles'] > 0 ? min($o['cycles'], $o['slow-cycles']) : $o['cycles'];
    };
    fprintf(STDERR, "contention: procs %s x %d cycles, hold %d µs, think 0-%d µs, %d round(s); variants %s; lock dir %s (%s); load %s\n",
        implode(',', $o['procs']), $o['cycles'], $o['hold-us'], $o['think-us'], $o['rounds'], implode(', ', $run), $base, $fsType,
        $load0 ?? '?');
    foreach ($skipped as $id => $why) {
        fprintf(STDERR, "  %s skipped: %s\n", $id, $why);
    }

    $runs = [];     // [P][variant] => list of per-round metrics
    $raw = [];      // [P][variant] => list of per-round extras (stats, errors)
    $failures = []; // [P][variant] => list of messages
    $versions = [];
    $runCount = 0;
    foreach ($o['procs'] as $p) {
        for ($round = 0; $round < $o['rounds']; $round++) {
            $k = $round % max(1, count($run));
            foreach (array_merge(array_slice($run, $k), array_slice($run, 0, $k)) as $id) {
                $cycles = $cyclesFor($id, $p);
                $dir = "$scratch/$id-p$p-r$round";
                mkdir($dir, 0700) || fail("cannot create $dir");
                $name = "bench:contention:$id:$p:$round:" . bin2hex(random_bytes(3));
                $t0 = hrtime(true);
                [$rc, $out, $err] = run_cmd(array_merge($prefix, worker_cmd($o, $id, $p, $cycles, $dir, $name)));
                $took = (hrtime(true) - $t0) / 1e9;
                $runCount++;
                rm_tree($dir);
                $line = trim((string)strrchr("\n" . trim($out), "\n"));
                $r = json_decode($line, true);
                if ($rc !== 0 || !is_array($r) || !isset($r['waits_ns'])) {
                    // proc_close() gives the raw signal number for a killed worker (7 = SIGBUS: .so rewritten).
                    $msg = "exit status $rc: " . implode(' | ', array_slice(array_filter(array_map('trim',
                        explode("\n", trim($err . "\n" . $out)))), 0, 4));
                    $failures[$p][$id][] = $msg;
                    fprintf(STDERR, "  P=%-3d round %d/%d  %-15s FAILED (%.1f s): %s\n", $p, $round + 1, $o['rounds'], $id, $took, $msg);
                    continue;
                }
                if (trim($err) !== '') {
                    fwrite(STDERR, "  [$id] " . trim($err) . "\n");
                }
                $versions = array_merge($versions, array_filter($r['versions']));
                $m = run_metrics($r);
                $runs[$p][$id][] = $m;
                $raw[$p][$id][] = ['paylock_stats' => $r['paylock_stats'], 'errors' => $r['errors'], 'cycles_per_proc' => $cycles,
                    'timeout_waits_ms' => array_map(static fn($x) => round($x / 1e6, 1), array_slice($r['timeout_waits_ns'], 0, 10))];
                fprintf(STDERR, "  P=%-3d round %d/%d  %-15s util %.2f, p99 %8s ms, lost %d, t/o %d, err %d  (%d cycles/proc, %.1f s)\n",
                    $p, $round + 1, $o['rounds'], $id, $m['utilisation'], cell($m['wait_p99_ms'], 1), $m['lost_updates'], $m['timeouts'],
                    $m['error_count'], $cycles, $took);
            }
        }
    }
    $load1 = loadavg();

    // Rows: median over rounds.
    $rows = [];
    foreach ($o['procs'] as $p) {
        foreach ($run as $id) {
            if (empty($runs[$p][$id])) {
                continue;
            }
            $row = combine_rounds($runs[$p][$id]);
            $row['cycles_per_proc'] = $cyclesFor($id, $p);
            $row['rounds'] = count($runs[$p][$id]);
            $st = null;
            foreach ($raw[$p][$id] as $x) {
                foreach ($x['paylock_stats'] ?? [] as $k => $v) {
                    $st[$k] = ($st[$k] ?? 0) + $v;
                }
            }
            $row['paylock_stats'] = $st;
            $row['errors'] = array_slice(array_merge(...array_column($raw[$p][$id], 'errors')), 0, 5);
            $row['timeout_waits_ms'] = array_slice(array_merge(...array_column($raw[$p][$id], 'timeout_waits_ms')), 0, 5);
            $rows[$p][$id] = $row;
        }
    }

    // Output.
    $out = '';
    $out .= sprintf("\nContention: P processes x %d cycles on one lock name; critical section = read a counter file, usleep(%d µs),"
        . " write counter+1;\nthink usleep(random_int(0, %d)) µs between cycles. Lock dirs and counter on %s (%s). %s.\n",
        $o['cycles'], $o['hold-us'], $o['think-us'], $base, $fsType,
        $o['rounds'] > 1 ? "Median of {$o['rounds']} rounds per metric, counts summed" : '1 round');
    $out .= "variants:\n";
    foreach ($selected as $id) {
        $out .= sprintf("  %-15s %s%s\n", $id, str_replace('WAIT', (string)$o['wait'], $all[$id]['label']),
            isset($skipped[$id]) ? "  [SKIPPED: {$skipped[$id]}]" : '');
    }
    $fmt = "%-15s %5s %7s %8s %8s %8s %8s %8s %7s %5s %4s %4s %7s %7s %7s\n";
    $targets = [];
    foreach ($o['procs'] as $p) {
        $ref = $rows[$p][REFERENCE] ?? null;
        $out .= sprintf("\n%d processes x %d cycles (wall = first acquire() call to end of last release(); bound = FIFO bound (P-1) x cycle)\n",
            $p, $o['cycles']);
        // sprintf pads bytes and 'µ' is two: that header column gets one byte more.
        $hdr = sprintf(str_replace('%7s %7s %7s', '%8s %7s %7s', $fmt), 'variant', 'util', 'ops/s', 'cycle ms', 'p50 ms', 'p99 ms',
            'max ms', 'bound ms', 'p99/bnd', 'lost', 't/o', 'err', 'CPU µs', 'util/PL', 'p99/PL');
        $out .= $hdr . str_repeat('-', preg_match_all('/./us', rtrim($hdr))) . "\n";
        foreach ($selected as $id) {
            if (isset($skipped[$id])) {
                $out .= sprintf("%-15s skipped: %s\n", $id, $skipped[$id]);
                continue;
            }
            $r = $rows[$p][$id] ?? null;
            if ($r === null) {
                $out .= sprintf("%-15s FAILED: %s\n", $id, $failures[$p][$id][0] ?? '?');
                continue;
            }
            $out .= sprintf($fmt, $id, cell($r['utilisation']), cell($r['ops_per_s'], 0), cell($r['cycle_ms']), cell($r['wait_p50_ms'], 1),
                cell($r['wait_p99_ms'], 1), cell($r['wait_max_ms'], 1), cell($r['fifo_bound_ms'], 1), cell($r['p99_over_bound']),
                (string)$r['lost_updates'], (string)$r['timeouts'], (string)$r['error_count'], cell($r['cpu_us_per_cycle'], 0),
                $ref ? fmt_ratio(ratio($r['utilisation'], $ref['utilisation'])) : '-',
                $ref ? fmt_ratio(ratio($r['wait_p99_ms'], $ref['wait_p99_ms'])) : '-');
            if ($r['cycles_per_proc'] !== $o['cycles']) {
                $out .= sprintf("  ^ %d cycles per process, not %d: polls with sleeps of 10 ms and more (--slow-cycles)\n",
                    $r['cycles_per_proc'], $o['cycles']);
            }
            if ($r['completed'] !== $r['expected']) {
                $out .= sprintf("  ^ only %d of %d cycles completed\n", $r['completed'], $r['expected']);
            }
            if ($r['error_count'] > 0) {
                $out .= sprintf("  ^ %d errors, e.g. %s\n", $r['error_count'], $r['errors'][0] ?? '?');
            }
            if ($r['overlaps'] > 0) {
                $out .= sprintf("  ^ %d critical sections overlapped another one\n", $r['overlaps']);
            }
            if (!empty($failures[$p][$id])) {
                $out .= sprintf("  ^ %d of %d rounds failed, e.g. %s\n", count($failures[$p][$id]), $o['rounds'], $failures[$p][$id][0]);
            }
        }
        foreach (['paylock-redis', 'paylock-file'] as $id) {
            $st = $rows[$p][$id]['paylock_stats'] ?? null;
            if ($st) {
                $out .= sprintf("  %s PayLock\\stats() summed over processes: acquired %d, contended %d, wait_seconds %.2f, timeouts %d%s\n",
                    $id, $st['acquired'] ?? 0, $st['contended'] ?? 0, $st['wait_seconds'] ?? 0, $st['timeouts'] ?? 0,
                    array_key_exists('handoffs', $st) ? ', handoffs ' . $st['handoffs'] : '');
            }
        }
        if (!$ref && in_array(REFERENCE, $run, true)) {
            $targets[$p] = null;
            $out .= sprintf("  Targets for %s: NOT measured (the run failed)\n", REFERENCE);
        } elseif ($ref) {
            $utilMet = $ref['utilisation'] >= 0.90;
            $p99Met = $ref['p99_over_bound'] <= 1.5;
            $targets[$p] = ['utilisation' => $ref['utilisation'], 'utilisation_min' => 0.90, 'utilisation_met' => $utilMet,
                'p99_ms' => $ref['wait_p99_ms'], 'fifo_bound_ms' => $ref['fifo_bound_ms'], 'p99_over_bound' => $ref['p99_over_bound'],
                'p99_over_bound_max' => 1.5, 'p99_met' => $p99Met];
            $out .= sprintf("  Target %s utilisation >= 0.90: %s (%s)\n", REFERENCE, $utilMet ? 'met' : 'NOT met', cell($ref['utilisation']));
            $out .= sprintf("  Target %s p99 wait <= 1.5x FIFO bound: %s (p99 %s ms = %sx the bound %s ms)\n", REFERENCE,
                $p99Met ? 'met' : 'NOT met', cell($ref['wait_p99_ms'], 1), cell($ref['p99_over_bound']), cell($ref['fifo_bound_ms'], 1));
        }
    }

    // Correctness: every real lock must lose nothing; the no-lock run must lose something.
    $out .= "\n";
    $bad = [];
    foreach ($rows as $p => $byId) {
        foreach ($byId as $id => $r) {
            if ($id === 'nolock') {
                $out .= sprintf("nolock at P=%d (no lock: the detector check): %d lost updates, %d overlaps -> the counter %s races\n", $p,
                    $r['lost_updates'], $r['overlaps'], $r['lost_updates'] > 0 ? 'catches' : 'did NOT catch');
            } elseif ($r['lost_updates'] !== 0 || $r['overlaps'] !== 0 || $r['completed'] !== $r['expected'] || $r['error_count'] !== 0) {
                $bad[] = "$id@$p";
            }
        }
    }
    foreach ($failures as $p => $byId) {
        foreach (array_keys($byId) as $id) {
            if ($id !== 'nolock' && !in_array("$id@$p", $bad, true)) {
                $bad[] = "$id@$p (failed)";
            }
        }
    }
    $locks = array_diff($run, ['nolock']);
    if ($locks) {
        $out .= 'Locks: no lost updates, no overlaps, no errors or timeouts, every cycle completed: '
            . ($bad ? 'NO (' . implode(', ', $bad) . ')' : 'yes') . "\n";
    }
    $totalS = (hrtime(true) - $t00) / 1e9;
    $out .= sprintf("%d runs took %.1f s; load average %s before, %s after; CPU placement of the runs: %s; redis-server: %s.\n",
        $runCount, $totalS, $load0 ?? '?', $load1 ?? '?', $placement, getenv('PAYLOCK_BENCH_PLACEMENT') ?: 'not pinned by run.sh');
    fwrite(STDOUT, $out);

    $json = [
        'benchmark' => 'contention',
        'what' => 'P processes x C cycles on one lock name: utilisation, acquire() waits vs the FIFO bound, lost updates',
        'date' => gmdate('c'),
        'definitions' => [
            'wall' => 'first acquire() call of any process to the end of the last release()',
            'utilisation' => 'sum of critical-section times (counter read .. counter write) / wall',
            'wait' => 'time inside acquire() (for malkusch: synchronized() until its closure starts)',
            'cycle_ms' => 'wall / completed cycles',
            'fifo_bound_ms' => '(P - 1) x cycle_ms',
            'lost_updates' => 'completed cycles - final counter',
            'rounds' => 'median of each metric over rounds; counts summed',
        ],
        'procs' => $o['procs'],
        'cycles_per_proc' => $o['cycles'],
        'slow_cycles_at_128' => $o['slow-cycles'],
        'hold_us' => $o['hold-us'],
        'think_us_max' => $o['think-us'],
        'wait_s' => $o['wait'],
        'rounds' => $o['rounds'],
        'php' => PHP_VERSION,
        'versions' => [
            'paylock' => $versions['paylock'] ?? null,
            'phpredis' => $versions['phpredis'] ?? null,
            'symfony_lock' => dpkg_version('php-symfony-lock'),
            'malkusch_lock' => dpkg_version('php-malkusch-lock'),
            'redis_server' => $redisVersion,
        ],
        ...build_provenance($o),
        'host' => ['uname' => php_uname(), 'cpus' => cpu_count(),
            'loadavg_before' => $load0, 'loadavg_after' => $load1],
        'cpu_placement' => ['runs' => $placement, 'redis_server' => getenv('PAYLOCK_BENCH_PLACEMENT') ?: null],
        'lock_dir' => ['dir' => $base, 'fs_type' => $fsType],
        'variants' => array_map(static fn($id) => ['id' => $id, 'label' => str_replace('WAIT', (string)$o['wait'], $all[$id]['label']),
            'skipped' => $skipped[$id] ?? null], $selected),
        'results' => $rows,
        'per_round' => $runs,
        'failures' => $failures,
        'targets' => ['variant' => REFERENCE, 'by_procs' => $targets],
        'elapsed_s' => round($totalS, 1),
    ];
    if ($o['json'] !== '') {
        write_results_json($o['json'], json_clean($json));
    }
}

$o = options($argv);
if ($o['worker'] !== null) {
    worker($o);
} else {
    parent($o);
}
