<?php
/**
 * PayLock benchmark, file locks: FileStore against the syscalls it makes, raw PHP flock() and
 * symfony/lock's FlockStore; FallbackStore against RedisStore; and a contended run with 8 processes.
 *
 * 1. Uncontended acquire+release cycles/s, one process, one name (median of rounds, order rotated each
 *    round, every variant in its own process):
 *      PayLock FileStore on /tmp and on /dev/shm; raw PHP fopen('c') + flock(LOCK_EX) + flock(LOCK_UN)
 *      + fclose; symfony/lock 5.4 FlockStore through LockFactory; two C loops built from
 *      bench/flock_loop.c: "same" makes exactly FileStore's syscalls (including the unlink), "min" only
 *      open + flock + flock(LOCK_UN) + close on a file that stays. A strace of a few cycles of each
 *      variant shows the syscalls of one cycle (and checks that the "same" loop matches FileStore).
 *      With --ext-before=PATH (another build, e.g. main's) "PayLock FileStore, before" runs in the same
 *      rounds, for a side-by-side before/after.
 * 2. PayLock FallbackStore (file lock, then Redis lock) against RedisStore on the same private redis.
 * 3. Contended: N processes (pcntl_fork) x M cycles on one name, each holding the lock for 1 ms and
 *    thinking 0-2 ms between cycles, for PayLock FileStore (acquire(30)), symfony FlockStore
 *    (acquire(true)) and PayLock RedisStore (acquire(30)). Reports lock utilisation (time inside
 *    critical sections / wall time), wait p50/p99/max, lost updates of a read-modify-write counter
 *    file and overlapping critical sections (both must be 0).
 *
 *   php -n bench/files.php [--port=PORT] [--ext=modules/paylock.so] [--iterations=20000] [--rounds=3]
 *        [--warmup=N] [--procs=8] [--cycles=40] [--hold-us=1000] [--think-us=2000] [--wait=30]
 *        [--tmp-dir=/tmp] [--shm-dir=/dev/shm] [--pairs=9] [--no-strace] [--no-contended] [--ext-before=PATH]
 *        [--json=bench/results/files.json]
 *
 * Without --port (or PAYLOCK_BENCH_REDIS_PORT) the Redis parts are skipped. bench/run.sh runs this with
 * its private redis-server. PAYLOCK_BENCH_CONTENDED_CPUS (a taskset CPU list) widens the CPU affinity
 * of the contended runs, which bench/run.sh sets to every CPU it may use (uncontended runs stay pinned).
 *
 * Internal: --worker=KIND runs one measurement in this process and prints one JSON line.
 */

declare(strict_types=1);

require_once __DIR__ . '/common.php';

const LOCK_NAME = 'bench:files';
const SYMFONY_AUTOLOAD = '/usr/share/php/Symfony/Component/Lock/autoload.php';
/** strace cuts a run into cycles at these marker writes to stderr. */
const MARK = "@@\n";

function options(array $argv): array
{
    $o = [
        'port' => getenv('PAYLOCK_BENCH_REDIS_PORT') ?: null,
        'iterations' => getenv('PAYLOCK_BENCH_ITERATIONS') ?: 20000,
        'rounds' => getenv('PAYLOCK_BENCH_ROUNDS') ?: 3,
        'warmup' => null,
        'ext' => getenv('PAYLOCK_BENCH_EXT') ?: dirname(__DIR__) . '/modules/paylock.so',
        'ext-before' => getenv('PAYLOCK_BENCH_EXT_BEFORE') ?: null,
        'json' => __DIR__ . '/results/files.json',
        'tmp-dir' => '/tmp',
        'shm-dir' => '/dev/shm',
        'procs' => 8,
        'cycles' => 40,
        'hold-us' => 1000,
        'think-us' => 2000,
        'wait' => 30,
        'pairs' => 9,
        'strace' => true,
        'contended' => true,
        'cc' => getenv('CC') ?: 'cc',
        // worker-only
        'worker' => null,
        'dir' => null,
        'store' => null,
        'mark' => false,
    ];
    foreach (array_slice($argv, 1) as $arg) {
        if ($arg === '--no-strace') {
            $o['strace'] = false;
        } elseif ($arg === '--no-contended') {
            $o['contended'] = false;
        } elseif ($arg === '--mark') {
            $o['mark'] = true;
        } elseif ($arg === '-h' || $arg === '--help') {
            fwrite(STDOUT, "usage: php -n bench/files.php [--port=PORT] [--ext=PATH] [--iterations=N] [--rounds=N] [--warmup=N]\n"
                . "       [--procs=8] [--cycles=40] [--hold-us=1000] [--think-us=2000] [--wait=30] [--tmp-dir=/tmp]\n"
                . "       [--shm-dir=/dev/shm] [--pairs=9] [--no-strace] [--no-contended] [--json=PATH]\n");
            exit(0);
        } elseif (preg_match('/^--(port|iterations|rounds|warmup|ext|ext-before|json|tmp-dir|shm-dir|procs|cycles|hold-us|think-us|wait|pairs|cc|worker|dir|store)=(.*)$/s', $arg, $m)) {
            $o[$m[1]] = $m[2];
        } elseif (preg_match('/^\d+$/', $arg)) {
            $o['iterations'] = $arg;
        } else {
            fail("unknown argument '$arg' (try --help)");
        }
    }
    $o['port'] = port_option($o['port']);
    foreach (['iterations', 'rounds', 'procs', 'cycles'] as $k) {
        $o[$k] = (int)$o[$k];
        $o[$k] > 0 || fail("--$k must be a positive integer");
    }
    foreach (['hold-us', 'think-us'] as $k) {
        $o[$k] = max(0, (int)$o[$k]);
    }
    $o['wait'] = (float)$o['wait'];
    $o['pairs'] = max(0, (int)$o['pairs']);
    $o['warmup'] = $o['warmup'] === null ? max(500, intdiv($o['iterations'], 10)) : max(0, (int)$o['warmup']);
    return $o;
}

/* ------------------------------------------------------------------------------------------------
 * Worker side.
 * ---------------------------------------------------------------------------------------------- */

function load_symfony(): void
{
    is_file(SYMFONY_AUTOLOAD) || fail(SYMFONY_AUTOLOAD . ' is missing (apt-get install php-symfony-lock)');
    require_once SYMFONY_AUTOLOAD;
}

/** A closure doing one acquire+release cycle (throws when one does not succeed). */
function make_cycle(string $kind, array $o): Closure
{
    $dir = (string)$o['dir'];
    switch ($kind) {
        case 'paylock-file':
        case 'paylock-redis':
        case 'paylock-fallback':
            $store = match ($kind) {
                'paylock-file' => new PayLock\FileStore($dir),
                'paylock-redis' => new PayLock\RedisStore("redis://127.0.0.1:{$o['port']}"),
                'paylock-fallback' => new PayLock\FallbackStore(new PayLock\RedisStore("redis://127.0.0.1:{$o['port']}"),
                    new PayLock\FileStore($dir)),
            };
            $lock = new PayLock\Lock($store, LOCK_NAME);
            return static function () use ($lock): void {
                $lock->acquire(0.0) || throw new RuntimeException('PayLock: acquire returned false');
                $lock->release() || throw new RuntimeException('PayLock: release returned false');
            };

        case 'raw-php':
            $path = "$dir/raw-php.lock";
            return static function () use ($path): void {
                $h = fopen($path, 'c');
                $h !== false || throw new RuntimeException("fopen($path) failed");
                flock($h, LOCK_EX) || throw new RuntimeException('flock(LOCK_EX) failed');
                flock($h, LOCK_UN);
                fclose($h);
            };

        case 'symfony-flock':
            load_symfony();
            $factory = new Symfony\Component\Lock\LockFactory(new Symfony\Component\Lock\Store\FlockStore($dir));
            $lock = $factory->createLock(LOCK_NAME);
            return static function () use ($lock): void {
                $lock->acquire() || throw new RuntimeException('symfony: acquire returned false');
                $lock->release();
            };
    }
    fail("unknown worker '$kind'");
}

function worker_uncontended(array $o): void
{
    $cycle = make_cycle($o['worker'], $o);
    for ($i = 0; $i < $o['warmup']; $i++) {
        $cycle();
    }
    $n = $o['iterations'];
    if ($o['mark']) {
        for ($i = 0; $i < $n; $i++) {
            fwrite(STDERR, MARK);
            $cycle();
        }
        fwrite(STDERR, MARK);
        fwrite(STDOUT, json_encode(['cycles' => $n, 'cps' => 0]) . "\n");
        return;
    }
    $t0 = hrtime(true);
    for ($i = 0; $i < $n; $i++) {
        $cycle();
    }
    $ns = hrtime(true) - $t0;
    fwrite(STDOUT, json_encode(['cycles' => $n, 'ns' => $ns, 'cps' => $n / ($ns / 1e9)]) . "\n");
}

/**
 * Contended: forks --procs children that all start together (they block on a socket until the parent
 * closes it) and run --cycles cycles each. Inside each critical section: read-modify-write of a counter
 * file, then usleep(hold). Between cycles: usleep(random 0..think). Children write their timings to
 * files; this process waits for them (blocking waitpid) and prints the summary as one JSON line.
 */
function worker_contended(array $o): void
{
    function_exists('pcntl_fork') || fail('the contended run needs pcntl (php -n has it built in on Debian)');
    $store = (string)$o['store'];
    $dir = (string)$o['dir'];
    $counter = "$dir/counter";
    file_put_contents($counter, sprintf('%020d', 0)) !== false || fail("cannot write $counter");
    if ($store === 'symfony-flock') {
        load_symfony(); // before forking, so children do not each read the autoloader
    }
    [$gateR, $gateW] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP)
        ?: fail('stream_socket_pair failed');
    $pids = [];
    for ($c = 0; $c < $o['procs']; $c++) {
        $pid = pcntl_fork();
        $pid >= 0 || fail('fork failed');
        if ($pid === 0) {
            fclose($gateW);
            $rc = contended_child($o, $store, $dir, $counter, $gateR, "$dir/result.$c.json");
            exit($rc);
        }
        $pids[$c] = $pid;
    }
    fclose($gateR);
    fclose($gateW); // EOF on every child's end: go
    $failed = [];
    $cpuUs = 0.0;
    $csw = 0;
    foreach ($pids as $c => $pid) {
        $ru = [];
        pcntl_waitpid($pid, $status, 0, $ru);
        $cpuUs += ($ru['ru_utime.tv_sec'] ?? 0) * 1e6 + ($ru['ru_utime.tv_usec'] ?? 0)
            + ($ru['ru_stime.tv_sec'] ?? 0) * 1e6 + ($ru['ru_stime.tv_usec'] ?? 0);
        $csw += ($ru['ru_nvcsw'] ?? 0);
        if (!pcntl_wifexited($status) || pcntl_wexitstatus($status) !== 0) {
            $failed[] = "child $c: " . (pcntl_wifsignaled($status) ? 'signal ' . pcntl_wtermsig($status) : 'exit ' . pcntl_wexitstatus($status));
        }
    }
    $waits = [];
    $intervals = [];
    $start = PHP_INT_MAX;
    $end = 0;
    $errors = [];
    foreach ($pids as $c => $pid) {
        $r = json_decode((string)@file_get_contents("$dir/result.$c.json"), true);
        if (!is_array($r)) {
            $errors[] = "child $c wrote no result";
            continue;
        }
        $waits = array_merge($waits, $r['wait_ns']);
        foreach ($r['held'] as [$in, $out]) {
            $intervals[] = [$in, $out];
        }
        $start = min($start, $r['start']);
        $end = max($end, $r['end']);
        array_push($errors, ...$r['errors']);
    }
    [$overlaps, $heldNs] = overlaps_and_held($intervals);
    $expected = $o['procs'] * $o['cycles'];
    $final = (int)trim((string)file_get_contents($counter));
    fwrite(STDOUT, json_encode([
        'store' => $store,
        'cycles' => count($intervals),
        'expected_cycles' => $expected,
        'wall_ns' => $end - $start,
        'held_ns' => $heldNs,
        'wait_ns' => $waits,
        'counter' => $final,
        'lost_updates' => count($intervals) - $final,
        'overlaps' => $overlaps,
        'children_cpu_us' => $cpuUs,
        'children_voluntary_csw' => $csw,
        'errors' => array_merge($failed, $errors),
    ]) . "\n");
}

/** One contending process; returns its exit status. */
function contended_child(array $o, string $store, string $dir, string $counter, $gate, string $resultFile): int
{
    $errors = [];
    try {
        // Everything is created after the fork: no connection or file descriptor is shared.
        if ($store === 'none') {
            // No lock at all: only to check that the lost-update and overlap detectors work.
            $acquire = static fn(): bool => true;
            $release = static function (): void {};
        } elseif ($store === 'symfony-flock') {
            $factory = new Symfony\Component\Lock\LockFactory(new Symfony\Component\Lock\Store\FlockStore($dir));
            $lock = $factory->createLock(LOCK_NAME);
            $acquire = static fn(): bool => $lock->acquire(true);
            $release = static function () use ($lock): void { $lock->release(); };
        } else {
            $s = $store === 'paylock-redis' ? new PayLock\RedisStore("redis://127.0.0.1:{$o['port']}") : new PayLock\FileStore($dir);
            $lock = new PayLock\Lock($s, LOCK_NAME);
            $wait = $o['wait'];
            $acquire = static fn(): bool => $lock->acquire($wait);
            $release = static function () use ($lock): void {
                $lock->release() || throw new RuntimeException('release returned false');
            };
        }
    } catch (Throwable $e) {
        file_put_contents($resultFile, json_encode(['wait_ns' => [], 'held' => [], 'start' => 0, 'end' => 0,
            'errors' => [get_class($e) . ': ' . $e->getMessage()]]));
        return 1;
    }
    fread($gate, 1); // blocks until the parent closes its end
    fclose($gate);
    $waits = [];
    $held = [];
    $hold = $o['hold-us'];
    $think = $o['think-us'];
    $start = hrtime(true);
    for ($i = 0; $i < $o['cycles']; $i++) {
        $t0 = hrtime(true);
        try {
            $ok = $acquire();
        } catch (Throwable $e) {
            $errors[] = get_class($e) . ': ' . $e->getMessage();
            break;
        }
        $t1 = hrtime(true);
        if (!$ok) {
            $errors[] = sprintf('acquire gave up after %.1f ms', ($t1 - $t0) / 1e6);
            continue;
        }
        $waits[] = $t1 - $t0;
        // The protected work: a read-modify-write that loses updates unless the lock excludes. Fixed
        // width, overwritten in place: no truncation, which on ext4 (auto_da_alloc) would flush the
        // file at close and add about 1 ms to every critical section.
        $h = fopen($counter, 'r+');
        $v = (int)fread($h, 32);
        rewind($h);
        fwrite($h, sprintf('%020d', $v + 1));
        fclose($h);
        if ($hold > 0) {
            usleep($hold);
        }
        $t2 = hrtime(true);
        $held[] = [$t1, $t2];
        try {
            $release();
        } catch (Throwable $e) {
            $errors[] = get_class($e) . ': ' . $e->getMessage();
        }
        if ($think > 0) {
            usleep(random_int(0, $think));
        }
    }
    $end = hrtime(true);
    file_put_contents($resultFile, json_encode(['wait_ns' => $waits, 'held' => $held, 'start' => $start, 'end' => $end,
        'errors' => $errors]));
    return 0;
}

/* ------------------------------------------------------------------------------------------------
 * Parent side.
 * ---------------------------------------------------------------------------------------------- */

/**
 * Uncontended variants. kind: what runs (PHP worker kind or C loop mode); fs: which lock directory;
 * ext: PHP extensions the worker loads; redis: needs --port.
 */
function variants(bool $shm, bool $redis, bool $cc, bool $before = false): array
{
    $v = [];
    foreach ($shm ? ['tmp', 'shm'] : ['tmp'] as $fs) {
        if ($before) {
            $v["paylock-file-before@$fs"] = ['kind' => 'paylock-file', 'fs' => $fs, 'label' => 'PayLock FileStore (before)',
                'ext' => ['paylock'], 'before' => true];
        }
        if ($cc) {
            $v["c-same@$fs"] = ['kind' => 'c-same', 'fs' => $fs, 'label' => 'C loop: FileStore\'s syscalls'];
            $v["c-min@$fs"] = ['kind' => 'c-min', 'fs' => $fs, 'label' => 'C loop: open+flock+unlock+close'];
        }
        $v["paylock-file@$fs"] = ['kind' => 'paylock-file', 'fs' => $fs, 'label' => 'PayLock FileStore', 'ext' => ['paylock']];
        $v["raw-php@$fs"] = ['kind' => 'raw-php', 'fs' => $fs, 'label' => 'raw PHP fopen(c)+flock+fclose'];
        $v["symfony-flock@$fs"] = ['kind' => 'symfony-flock', 'fs' => $fs, 'label' => 'symfony/lock 5.4 FlockStore'];
    }
    if ($redis) {
        $v['paylock-redis'] = ['kind' => 'paylock-redis', 'fs' => null, 'label' => 'PayLock RedisStore', 'ext' => ['paylock']];
        foreach ($shm ? ['tmp', 'shm'] : ['tmp'] as $fs) {
            $v["paylock-fallback@$fs"] = ['kind' => 'paylock-fallback', 'fs' => $fs, 'label' => 'PayLock FallbackStore (Redis + file)',
                'ext' => ['paylock']];
        }
    }
    return $v;
}

function parse_json_line(string $what, array $r): array
{
    [$rc, $out, $err] = $r;
    $line = trim((string)strrchr("\n" . trim($out), "\n"));
    $res = json_decode($line, true);
    if ($rc !== 0 || !is_array($res)) {
        // proc_close() gives the raw signal number for a killed child (7 = SIGBUS: .so rewritten under it).
        fail("$what failed (exit status $rc):\n" . trim($err . "\n" . $out));
    }
    return $res;
}

function php_cmd(array $o, array $exts, array $args, bool $before = false): array
{
    $cmd = [PHP_BINARY, '-n'];
    $ext = $before ? $o['ext-before'] : $o['ext'];
    if (in_array('paylock', $exts, true)) {
        is_file($ext) || fail("$ext is missing; build it first (cd " . dirname(__DIR__) . ' && make -j2)');
        array_push($cmd, '-d', "extension=$ext");
    }
    array_push($cmd, __FILE__, ...$args);
    return $cmd;
}

/** The command that runs one uncontended measurement of variant $v. */
function variant_cmd(array $o, array $v, array $ctx, int $iterations, int $warmup, bool $mark): array
{
    $dir = $ctx['dirs'][$v['fs'] ?? 'tmp'] . '/' . str_replace('@', '-', $v['id']);
    is_dir($dir) || mkdir($dir, 0700) || fail("cannot create $dir");
    if ($v['kind'] === 'c-same' || $v['kind'] === 'c-min') {
        $cmd = [$ctx['cbin'], substr($v['kind'], 2), $v['kind'] === 'c-same' ? $dir : "$dir/c-min.lock",
            (string)$iterations, (string)$warmup];
        if ($mark) {
            $cmd[] = '--mark';
        }
        return $cmd;
    }
    $args = ["--worker={$v['kind']}", "--dir=$dir", "--iterations=$iterations", "--warmup=$warmup"];
    if ($o['port'] !== null) {
        $args[] = "--port={$o['port']}";
    }
    if ($mark) {
        $args[] = '--mark';
    }
    return php_cmd($o, $v['ext'] ?? [], $args, !empty($v['before']));
}

/**
 * Median over rounds of (a's cycles/s / b's cycles/s in the same round). The two ran within seconds of
 * each other, so drift during the run (ext4 create/unlink costs wander by 30% and more) cancels out.
 */
function paired_ratio(array $runs, string $a, string $b): ?float
{
    if (!isset($runs[$a], $runs[$b]) || count($runs[$a]) !== count($runs[$b])) {
        return null;
    }
    return round(median(array_map(static fn($x, $y) => $x / $y, $runs[$a], $runs[$b])), 3);
}

/**
 * One cycle's syscalls, from strace of a short run whose cycles are separated by marker writes to
 * stderr. Returns the normalised list for the 3rd cycle (steady state), or a string saying why not.
 */
function strace_cycle(string $strace, array $cmd, string $out): array|string
{
    [$rc, , $err] = run_cmd(array_merge([$strace, '-qq', '-f', '-o', $out], $cmd));
    if ($rc !== 0 || !is_file($out)) {
        return 'strace failed: ' . trim(substr($err, 0, 300));
    }
    $cycles = [];
    $cur = null;
    foreach (file($out, FILE_IGNORE_NEW_LINES) ?: [] as $line) {
        // "1234  openat(AT_FDCWD, "...", O_RDWR|O_CREAT, 0600) = 4"; -f prefixes the pid.
        if (!preg_match('/^(?:\d+\s+)?(\w+)\((.*)\)\s+=\s+(-?\d+|\?)/', $line, $m)) {
            continue;
        }
        [, $name, $args] = $m;
        if ($name === 'write' && str_starts_with($args, '2, "@@\n"')) {
            if ($cur !== null) {
                $cycles[] = $cur;
            }
            $cur = [];
            continue;
        }
        if ($cur === null) {
            continue;
        }
        $cur[] = normalise_syscall($name, $args);
    }
    @unlink($out);
    return count($cycles) >= 3 ? $cycles[2] : 'strace: fewer than 3 marked cycles';
}

function normalise_syscall(string $name, string $args): string
{
    switch ($name) {
        case 'openat':
            return preg_match('/"[^"]*",\s*([A-Z_|]+)/', $args, $m) ? "openat($m[1])" : 'openat';
        case 'flock':
            return preg_match('/,\s*([A-Z_|]+)/', $args, $m) ? "flock($m[1])" : 'flock';
        case 'newfstatat':
        case 'fstatat64':
            if (str_contains($args, 'AT_EMPTY_PATH')) {
                return 'fstat';
            }
            return str_contains($args, 'AT_SYMLINK_NOFOLLOW') ? 'lstat' : 'stat';
        case 'pwrite64':
        case 'write':
        case 'sendto':
            return preg_match('/,\s*(\d+)(?:,\s*-?\d+)?$/', $args, $m) ? "$name($m[1] B)" : $name;
        default:
            return $name;
    }
}

/** "a b b b c" -> "a 3x b c" for display. */
function compress_syscalls(array $list): string
{
    $out = [];
    $n = count($list);
    for ($i = 0; $i < $n; $i++) {
        $k = 1;
        while ($i + $k < $n && $list[$i + $k] === $list[$i]) {
            $k++;
        }
        $out[] = ($k > 1 ? "{$k}x " : '') . $list[$i];
        $i += $k - 1;
    }
    return implode(', ', $out);
}

function parent(array $o): void
{
    $t00 = hrtime(true);
    $load0 = loadavg();
    $notes = [];

    // Scratch: one private dir per file system, removed at exit (only by this process: workers fork).
    $self = getmypid();
    $scratch = [];
    register_shutdown_function(static function () use (&$scratch, $self) {
        if (getmypid() === $self) {
            array_map('rm_tree', $scratch);
        }
    });
    is_dir($o['tmp-dir']) && is_writable($o['tmp-dir']) || fail("{$o['tmp-dir']} is not a writable directory");
    $scratch['tmp'] = make_scratch($o['tmp-dir'], 'paylock-files');
    $shm = $o['shm-dir'] !== '' && is_dir($o['shm-dir']) && is_writable($o['shm-dir']);
    if ($shm) {
        $scratch['shm'] = make_scratch($o['shm-dir'], 'paylock-files');
    } else {
        $notes[] = "{$o['shm-dir']} missing or not writable: no /dev/shm rows";
    }
    $fsDesc = [];
    foreach ($scratch as $k => $d) {
        $fsDesc[$k] = ['dir' => $k === 'tmp' ? $o['tmp-dir'] : $o['shm-dir'], 'fs_type' => fs_type($d)];
    }

    // The C loops, built fresh into the scratch dir (never into the tree).
    $cbin = null;
    $cc = find_exe($o['cc']);
    if ($cc === null) {
        $notes[] = "no C compiler ({$o['cc']}): no C loop rows";
    } else {
        $cbin = $scratch['tmp'] . '/flock_loop';
        [$rc, , $err] = run_cmd([$cc, '-O2', '-o', $cbin, __DIR__ . '/flock_loop.c']);
        $rc === 0 || fail("cannot compile bench/flock_loop.c:\n$err");
    }
    $ctx = ['dirs' => $scratch, 'cbin' => $cbin];
    $all = variants($shm, $o['port'] !== null, $cbin !== null, $o['ext-before'] !== null);
    foreach ($all as $id => &$v) {
        $v['id'] = $id;
    }
    unset($v);
    if ($o['port'] === null) {
        $notes[] = 'no --port: Redis rows and the RedisStore contended run skipped';
    }
    if (isset($all['paylock-file@tmp'])) {
        // Fail early (and readably) if the extension does not load.
        [$rc, , $err] = run_cmd(php_cmd($o, ['paylock'], ['--help']));
        $rc === 0 || fail("{$o['ext']} does not load: " . trim($err));
    }

    fprintf(STDERR, "files: %d cycles per run (+%d warm-up), %d rounds; lock dirs: %s; load %s\n", $o['iterations'], $o['warmup'],
        $o['rounds'], implode(', ', array_map(static fn($f) => "{$f['dir']} ({$f['fs_type']})", $fsDesc)), $load0 ?? '?');

    // 1+2: uncontended, interleaved rounds.
    $ids = array_keys($all);
    $runs = array_fill_keys($ids, []);
    $t0 = hrtime(true);
    for ($round = 0; $round < $o['rounds']; $round++) {
        $k = $round % count($ids);
        foreach (array_merge(array_slice($ids, $k), array_slice($ids, 0, $k)) as $id) {
            $r = parse_json_line($id, run_cmd(variant_cmd($o, $all[$id], $ctx, $o['iterations'], $o['warmup'], false)));
            $runs[$id][] = $r['cps'];
            fprintf(STDERR, "  round %d/%d  %-22s %12s /s\n", $round + 1, $o['rounds'], $id, fmt_rate($r['cps']));
        }
    }
    $uncontendedS = (hrtime(true) - $t0) / 1e9;

    // The target check: short runs of the C "same" loop and FileStore, back to back in alternating order,
    // so that both see the same state of the file system (ext4's create+unlink cost drifts a lot).
    $pairs = [];
    if ($cbin !== null && $o['pairs'] > 0) {
        $pn = min($o['iterations'], 5000);
        $pw = max(200, intdiv($pn, 10));
        foreach (array_keys($scratch) as $fs) {
            $ratios = [];
            for ($i = 0; $i < $o['pairs']; $i++) {
                $r = [];
                foreach ($i % 2 ? ['paylock-file', 'c-same'] : ['c-same', 'paylock-file'] as $kind) {
                    $r[$kind] = parse_json_line("$kind@$fs (pair)", run_cmd(variant_cmd($o, $all["$kind@$fs"], $ctx, $pn, $pw, false)))['cps'];
                }
                $ratios[] = $r['paylock-file'] / $r['c-same'];
            }
            sort($ratios);
            $pairs[$fs] = ['pairs' => count($ratios), 'cycles' => $pn, 'median' => round(median($ratios), 3),
                'p25' => round(percentile($ratios, 25), 3), 'p75' => round(percentile($ratios, 75), 3),
                'min' => round($ratios[0], 3), 'max' => round(end($ratios), 3)];
            fprintf(STDERR, "  paired FileStore / C same on %-9s median %.2fx (min %.2f, max %.2f, %d pairs)\n", $fsDesc[$fs]['dir'],
                $pairs[$fs]['median'], $pairs[$fs]['min'], $pairs[$fs]['max'], count($ratios));
        }
    }

    // Per-syscall time of the C "same" loop (clock_gettime around every syscall; separate run).
    $breakdown = [];
    if ($cbin !== null) {
        foreach (array_keys($scratch) as $fs) {
            $v = $all["c-same@$fs"];
            $cmd = variant_cmd($o, $v, $ctx, $o['iterations'], $o['warmup'], false);
            $cmd[] = '--breakdown';
            $r = parse_json_line("c-same@$fs --breakdown", run_cmd($cmd));
            $breakdown[$fs] = ['cycles_per_s' => round($r['cps'], 1), 'step_ns' => $r['step_ns']];
        }
    }

    // Syscalls of one steady-state cycle, per variant.
    $syscalls = [];
    $strace = $o['strace'] ? find_exe('strace') : null;
    if ($o['strace'] && $strace === null) {
        $notes[] = 'strace not found: no syscall listing';
    }
    if ($strace !== null) {
        foreach ($all as $id => $v) {
            if ($v['fs'] === 'shm') {
                continue; // same syscalls as on /tmp
            }
            $r = strace_cycle($strace, variant_cmd($o, $v, $ctx, 4, 20, true), $scratch['tmp'] . "/strace.$id");
            $syscalls[$id] = $r;
            if (is_string($r)) {
                $notes[] = "$id: $r";
            }
        }
    }

    // 3: contended.
    $contended = [];
    if ($o['contended']) {
        $stores = ['paylock-file' => 'PayLock FileStore, acquire(' . $o['wait'] . ')',
            'symfony-flock' => 'symfony/lock 5.4 FlockStore, acquire(true)'];
        if ($o['port'] !== null) {
            $stores['paylock-redis'] = 'PayLock RedisStore, acquire(' . $o['wait'] . ')';
        }
        $cpus = (string)getenv('PAYLOCK_BENCH_CONTENDED_CPUS');
        $taskset = $cpus !== '' ? find_exe('taskset') : null;
        $prefix = $taskset !== null ? [$taskset, '-c', $cpus] : [];
        $cres = array_fill_keys(array_keys($stores), []);
        for ($round = 0; $round < $o['rounds']; $round++) {
            $order = array_keys($stores);
            $k = $round % count($order);
            foreach (array_merge(array_slice($order, $k), array_slice($order, 0, $k)) as $store) {
                $dir = $scratch['tmp'] . "/contended-$store-$round";
                mkdir($dir, 0700) || fail("cannot create $dir");
                $args = ['--worker=contended', "--store=$store", "--dir=$dir", "--procs={$o['procs']}", "--cycles={$o['cycles']}",
                    "--hold-us={$o['hold-us']}", "--think-us={$o['think-us']}", "--wait={$o['wait']}"];
                if ($o['port'] !== null) {
                    $args[] = "--port={$o['port']}";
                }
                $r = parse_json_line("contended $store", run_cmd(array_merge($prefix,
                    php_cmd($o, $store === 'symfony-flock' ? [] : ['paylock'], $args))));
                $cres[$store][] = $r;
                fprintf(STDERR, "  contended round %d/%d  %-14s util %.2f, lost %d, overlaps %d%s\n", $round + 1, $o['rounds'], $store,
                    $r['held_ns'] / max(1, $r['wall_ns']), $r['lost_updates'], $r['overlaps'],
                    $r['errors'] ? ', errors: ' . implode('; ', array_slice($r['errors'], 0, 3)) : '');
            }
        }
        foreach ($cres as $store => $rs) {
            $waits = array_merge(...array_column($rs, 'wait_ns'));
            sort($waits);
            $utils = array_map(static fn($r) => $r['held_ns'] / max(1, $r['wall_ns']), $rs);
            $errors = array_merge(...array_column($rs, 'errors'));
            $contended[$store] = [
                'label' => $stores[$store],
                'utilisation' => round(median($utils), 3),
                'runs_utilisation' => array_map(static fn($u) => round($u, 3), $utils),
                'wall_ms' => round(median(array_column($rs, 'wall_ns')) / 1e6, 1),
                'cycles_per_s' => round(median(array_map(static fn($r) => $r['cycles'] / ($r['wall_ns'] / 1e9), $rs)), 1),
                'wait_ms' => [
                    'p50' => round(percentile($waits, 50) / 1e6, 3),
                    'p99' => round(percentile($waits, 99) / 1e6, 3),
                    'max' => round(percentile($waits, 100) / 1e6, 3),
                    'mean' => round(array_sum($waits) / max(1, count($waits)) / 1e6, 3),
                    'samples' => count($waits),
                ],
                'cpu_us_per_cycle' => round(array_sum(array_column($rs, 'children_cpu_us')) / max(1, array_sum(array_column($rs, 'cycles'))), 1),
                'voluntary_csw_per_cycle' => round(array_sum(array_column($rs, 'children_voluntary_csw'))
                    / max(1, array_sum(array_column($rs, 'cycles'))), 1),
                'hold_ms_mean' => round(array_sum(array_column($rs, 'held_ns')) / max(1, array_sum(array_column($rs, 'cycles'))) / 1e6, 3),
                'cycles' => array_sum(array_column($rs, 'cycles')),
                'expected_cycles' => array_sum(array_column($rs, 'expected_cycles')),
                'lost_updates' => array_sum(array_column($rs, 'lost_updates')),
                'overlaps' => array_sum(array_column($rs, 'overlaps')),
                'errors' => array_slice($errors, 0, 10),
                'error_count' => count($errors),
            ];
        }
        $contendedPlacement = $prefix ? "taskset -c $cpus" : 'inherited';
    }
    $load1 = loadavg();

    // Summaries.
    $med = [];
    foreach ($runs as $id => $rs) {
        $med[$id] = median($rs);
    }
    $rows = [];
    foreach ($all as $id => $v) {
        $fs = $v['fs'];
        $cps = $med[$id];
        $rows[$id] = [
            'label' => $v['label'],
            'fs' => $fs === null ? null : $fsDesc[$fs]['dir'],
            'cycles_per_s' => round($cps, 1),
            'us_per_cycle' => round(1e6 / $cps, 3),
            'ratio_vs_c_same' => $fs !== null && $v['kind'] !== 'paylock-fallback' ? paired_ratio($runs, $id, "c-same@$fs") : null,
            'ratio_vs_c_min' => $fs !== null && $v['kind'] !== 'paylock-fallback' ? paired_ratio($runs, $id, "c-min@$fs") : null,
            'ratio_vs_paylock_file' => $fs !== null ? paired_ratio($runs, $id, "paylock-file@$fs") : null,
            'ratio_vs_redis' => $v['kind'] === 'paylock-fallback' ? paired_ratio($runs, $id, 'paylock-redis') : null,
            'runs_cycles_per_s' => array_map(static fn($x) => round($x, 1), $runs[$id]),
            'syscalls_per_cycle' => isset($syscalls[$id]) && is_array($syscalls[$id]) ? $syscalls[$id] : null,
        ];
    }

    // Output.
    $out = sprintf("\nFile locks, uncontended acquire+release, 1 process, 1 name: median of %d rounds x %d cycles"
        . " (ratios: median of per-round ratios)\n", $o['rounds'], $o['iterations']);
    $fmt = "%-38s %-9s %11s %9s %9s %9s %11s\n";
    $hdr = sprintf("%-38s %-9s %11s %10s %9s %9s %11s", 'variant', 'dir', 'cycles/s', 'µs/cycle', 'vs C same', 'vs C min', 'vs PayLock');
    $out .= $hdr . "\n" . str_repeat('-', preg_match_all('/./us', $hdr)) . "\n";
    foreach ($rows as $id => $r) {
        if ($all[$id]['fs'] === null || $all[$id]['kind'] === 'paylock-fallback') {
            continue;
        }
        $out .= sprintf($fmt, $r['label'], $r['fs'], fmt_rate($r['cycles_per_s']), number_format($r['us_per_cycle'], 2),
            fmt_ratio($r['ratio_vs_c_same']), fmt_ratio($r['ratio_vs_c_min']), fmt_ratio($r['ratio_vs_paylock_file']));
    }
    foreach ($fsDesc as $fs => $f) {
        $out .= sprintf("  %s is %s\n", $f['dir'], $f['fs_type']);
    }
    $out .= "cycles/s per round:\n";
    foreach ($rows as $id => $r) {
        $out .= sprintf("  %-22s %s\n", $id, implode(', ', array_map('fmt_rate', $r['runs_cycles_per_s'])));
    }

    if (isset($rows['paylock-redis'])) {
        $rd = $rows['paylock-redis'];
        $out .= "\nFallbackStore vs RedisStore (same private redis, uncontended, median of {$o['rounds']} rounds)\n";
        $fmt3 = "%-38s %-9s %11s %9s %9s %14s\n";
        $hdr3 = sprintf("%-38s %-9s %11s %10s %9s %14s", 'variant', 'dir', 'cycles/s', 'µs/cycle', 'vs Redis', 'µs over Redis');
        $out .= $hdr3 . "\n" . str_repeat('-', preg_match_all('/./us', $hdr3)) . "\n";
        $out .= sprintf($fmt3, $rd['label'], '-', fmt_rate($rd['cycles_per_s']), number_format($rd['us_per_cycle'], 2), '1.00x', '-');
        foreach ($scratch as $fs => $unused) {
            if (!isset($rows["paylock-fallback@$fs"])) {
                continue;
            }
            $fb = $rows["paylock-fallback@$fs"];
            $out .= sprintf($fmt3, $fb['label'], $fb['fs'], fmt_rate($fb['cycles_per_s']), number_format($fb['us_per_cycle'], 2),
                fmt_ratio($fb['ratio_vs_redis']), sprintf('%+.2f', $fb['us_per_cycle'] - $rd['us_per_cycle']));
            $out .= sprintf("  (FileStore alone on %s: %.2f µs/cycle)\n", $fb['fs'], $rows["paylock-file@$fs"]['us_per_cycle']);
        }
    }

    if ($breakdown) {
        $out .= "\nC loop with FileStore's syscalls, mean ns per step (clock_gettime around each syscall, separate run)\n";
        $steps = array_keys(reset($breakdown)['step_ns']);
        $out .= sprintf("%-10s", 'dir') . implode('', array_map(static fn($s) => sprintf('%10s', $s), $steps)) . sprintf("%10s\n", 'total');
        foreach ($breakdown as $fs => $b) {
            $out .= sprintf("%-10s", $fsDesc[$fs]['dir']);
            foreach ($steps as $s) {
                $out .= sprintf('%10.0f', $b['step_ns'][$s] ?? 0);
            }
            $out .= sprintf("%10.0f\n", array_sum($b['step_ns']));
        }
        $out .= "  (pwrite includes formatting the holder line; the create/unlink of the file each cycle shows up in\n"
            . "   open, pwrite (first block of a new file), unlink and close (the last close frees the unlinked inode))\n";
    }

    if ($syscalls) {
        $out .= "\nSyscalls of one steady-state cycle (strace -f of a short run, 3rd cycle)\n";
        foreach ($syscalls as $id => $s) {
            $out .= sprintf("  %-22s %s\n", $id, is_array($s) ? count($s) . ': ' . compress_syscalls($s) : $s);
        }
        if (isset($syscalls['paylock-file@tmp'], $syscalls['c-same@tmp']) && is_array($syscalls['paylock-file@tmp'])) {
            $same = $syscalls['paylock-file@tmp'] === $syscalls['c-same@tmp'];
            $out .= '  C "same" loop makes exactly FileStore\'s syscalls: ' . ($same ? 'yes' : 'NO') . "\n";
        }
    }

    if ($contended) {
        $out .= sprintf("\nContended: %d processes x %d cycles on one name, hold %.1f ms (+ counter read-modify-write), think 0-%.1f ms;"
            . " %d rounds, utilisation = median, waits pooled over rounds\n", $o['procs'], $o['cycles'], $o['hold-us'] / 1000,
            $o['think-us'] / 1000, $o['rounds']);
        $fmt4 = "%-44s %5s %9s %7s %7s %7s %8s %8s %5s %5s %8s\n";
        // sprintf pads bytes and 'µ' is two: that header column gets one byte more.
        $hdr4 = sprintf(str_replace('%8s %5s %5s', '%9s %5s %5s', $fmt4), 'store', 'util', 'cycles/s', 'p50 ms', 'p99 ms', 'max ms',
            'hold ms', 'CPU µs', 'csw', 'lost', 'overlaps');
        $out .= $hdr4 . str_repeat('-', preg_match_all('/./us', rtrim($hdr4))) . "\n";
        foreach ($contended as $store => $c) {
            $out .= sprintf($fmt4, $c['label'], sprintf('%.2f', $c['utilisation']), fmt_rate($c['cycles_per_s']),
                number_format($c['wait_ms']['p50'], 2), number_format($c['wait_ms']['p99'], 2), number_format($c['wait_ms']['max'], 2),
                number_format($c['hold_ms_mean'], 3), number_format($c['cpu_us_per_cycle'], 0), number_format($c['voluntary_csw_per_cycle'], 1),
                (string)$c['lost_updates'], (string)$c['overlaps']);
            if ($c['error_count']) {
                $out .= sprintf("  %d errors, e.g. %s\n", $c['error_count'], $c['errors'][0]);
            }
            if ($c['cycles'] !== $c['expected_cycles']) {
                $out .= sprintf("  only %d of %d cycles completed\n", $c['cycles'], $c['expected_cycles']);
            }
        }
        $out .= "  CPU µs, csw: CPU time (user+sys) and voluntary context switches of all processes, per cycle (includes the\n"
            . "  counter update, the sleeps' wake-ups and the think time's random_int)\n";
        $out .= "  utilisation per round: " . implode('; ', array_map(static fn($s, $c) => "$s " . implode(', ', $c['runs_utilisation']),
            array_keys($contended), $contended)) . "\n";
        $out .= "  contended CPU placement: $contendedPlacement\n";
    }

    // Targets.
    $targets = [];
    $out .= "\n";
    foreach (array_keys($scratch) as $fs) {
        // Judged on the alternating pairs when there are any, else on the rounds.
        $p = $pairs[$fs] ?? null;
        $r = $p['median'] ?? $rows["paylock-file@$fs"]['ratio_vs_c_same'] ?? null;
        if ($r === null) {
            continue;
        }
        $met = $r >= 0.9;
        $targets["paylock_file_vs_c_same_$fs"] = ['ratio' => $r, 'min' => 0.9, 'met' => $met,
            'basis' => $p ? 'median of alternating pairs' : 'median of per-round ratios', 'pairs' => $p];
        $out .= sprintf("Target FileStore >= 0.90x the same-syscall C loop on %-9s %s (%.2fx%s%s)\n", $fsDesc[$fs]['dir'] . ':',
            $met ? 'met' : 'NOT met', $r, $met ? '' : sprintf(', %.0f%% below the target', (0.9 - $r) / 0.9 * 100),
            $p ? sprintf('; %d alternating pairs of %d cycles, quartiles %.2f-%.2f, range %.2f-%.2f', $p['pairs'], $p['cycles'],
                $p['p25'], $p['p75'], $p['min'], $p['max']) : '');
    }
    if ($contended) {
        $bad = array_filter($contended, static fn($c) => $c['lost_updates'] !== 0 || $c['overlaps'] !== 0 || $c['error_count'] !== 0
            || $c['cycles'] !== $c['expected_cycles']);
        $targets['contended_no_lost_updates'] = !$bad;
        $out .= 'Contended: no lost updates, no overlaps, every cycle completed: ' . ($bad ? 'NO (' . implode(', ', array_keys($bad)) . ')' : 'yes') . "\n";
    }
    foreach ($notes as $n) {
        $out .= "note: $n\n";
    }
    $totalS = (hrtime(true) - $t00) / 1e9;
    $out .= sprintf("Uncontended rounds took %.1f s, everything %.1f s; load average %s before, %s after; uncontended CPU placement: %s.\n",
        $uncontendedS, $totalS, $load0 ?? '?', $load1 ?? '?', getenv('PAYLOCK_BENCH_PLACEMENT') ?: 'not pinned');
    fwrite(STDOUT, $out);

    $json = [
        'benchmark' => 'files',
        'what' => 'file locks: uncontended cycles/s against C loops and peers; FallbackStore vs RedisStore; contended utilisation and waits',
        'date' => gmdate('c'),
        'iterations' => $o['iterations'],
        'warmup' => $o['warmup'],
        'rounds' => $o['rounds'],
        'statistic' => 'median over rounds',
        'php' => PHP_VERSION,
        'host' => ['uname' => php_uname(), 'loadavg_before' => $load0, 'loadavg_after' => $load1],
        ...build_provenance($o),
        'cpu_placement' => getenv('PAYLOCK_BENCH_PLACEMENT') ?: 'not pinned',
        'lock_dirs' => $fsDesc,
        'uncontended' => $rows,
        'c_same_breakdown_ns' => $breakdown,
        'paired_filestore_vs_c_same' => $pairs,
        'contended' => $contended ? [
            'procs' => $o['procs'], 'cycles_per_proc' => $o['cycles'], 'hold_us' => $o['hold-us'], 'think_us_max' => $o['think-us'],
            'wait_s' => $o['wait'], 'cpu_placement' => $contendedPlacement, 'stores' => $contended,
        ] : null,
        'targets' => $targets,
        'notes' => $notes,
        'elapsed_s' => round($totalS, 1),
    ];
    if ($o['json'] !== '') {
        write_results_json($o['json'], $json);
    }
}

$o = options($argv);
if ($o['worker'] === 'contended') {
    worker_contended($o);
} elseif ($o['worker'] !== null) {
    worker_uncontended($o);
} else {
    parent($o);
}
