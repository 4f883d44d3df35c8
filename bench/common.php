<?php
// Helpers shared by the benchmark scripts (uncontended.php, files.php, idempotency.php, contention.php).

declare(strict_types=1);

function fail(string $msg): never
{
    fwrite(STDERR, basename($_SERVER['SCRIPT_NAME'] ?? 'bench') . ": $msg\n");
    exit(1);
}

/** Runs a command to completion; returns [exit code, stdout, stderr]. */
function run_cmd(array $cmd): array
{
    // stderr goes to a temp file so neither pipe can fill up while the other one is being read.
    $errf = tmpfile();
    $p = proc_open($cmd, [0 => ['file', '/dev/null', 'r'], 1 => ['pipe', 'w'], 2 => $errf], $pipes);
    $p !== false || fail('cannot start ' . $cmd[0]);
    $out = stream_get_contents($pipes[1]);
    fclose($pipes[1]);
    $rc = proc_close($p);
    rewind($errf);
    $err = stream_get_contents($errf);
    fclose($errf);
    return [$rc, $out, $err];
}

function median(array $xs): float
{
    sort($xs);
    $n = count($xs);
    return $n % 2 ? (float)$xs[intdiv($n, 2)] : ($xs[$n / 2 - 1] + $xs[$n / 2]) / 2;
}

function fmt_rate(float $x): string
{
    return number_format($x, 0, '.', ',');
}

function loadavg(): ?string
{
    $l = @file_get_contents('/proc/loadavg');
    return $l === false ? null : implode(' ', array_slice(explode(' ', $l), 0, 3));
}

function git_head(): ?array
{
    $root = dirname(__DIR__);
    $git = find_exe('git');
    if ($git === null || !file_exists("$root/.git")) {
        return null;
    }
    [$rc, $head] = run_cmd([$git, '-C', $root, 'rev-parse', 'HEAD']);
    if ($rc !== 0) {
        return null;
    }
    [, $dirty] = run_cmd([$git, '-C', $root, 'status', '--porcelain', '--untracked-files=no']);
    return ['head' => trim($head), 'dirty' => trim($dirty) !== ''];
}

function find_exe(string $name): ?string
{
    if (str_contains($name, '/')) {
        return is_executable($name) ? $name : null;
    }
    foreach (explode(':', (string)getenv('PATH')) as $d) {
        if ($d !== '' && is_executable("$d/$name")) {
            return "$d/$name";
        }
    }
    return null;
}

/* A minimal RESP client for the parent's own bookkeeping (INFO, MONITOR, ECHO markers). */

function resp_connect(int $port)
{
    $s = stream_socket_client("tcp://127.0.0.1:$port", $errno, $errstr, 5.0);
    $s !== false || fail("cannot connect to redis at 127.0.0.1:$port: $errstr");
    stream_set_timeout($s, 30);
    return $s;
}

function resp_send($s, string ...$args): void
{
    $buf = '*' . count($args) . "\r\n";
    foreach ($args as $a) {
        $buf .= '$' . strlen($a) . "\r\n$a\r\n";
    }
    fwrite($s, $buf);
}

function resp_read($s): mixed
{
    $line = fgets($s);
    $line !== false || fail('redis connection closed or timed out');
    $type = $line[0];
    $body = substr($line, 1, -2);
    switch ($type) {
        case '+':
            return $body;
        case '-':
            fail("redis error: $body");
        case ':':
            return (int)$body;
        case '$':
            if ((int)$body < 0) {
                return null;
            }
            $data = stream_get_contents($s, (int)$body + 2);
            return substr($data, 0, -2);
        case '*':
            $a = [];
            for ($i = 0, $n = (int)$body; $i < $n; $i++) {
                $a[] = resp_read($s);
            }
            return $a;
    }
    fail("unexpected reply from redis: $line");
}

function resp_call($s, string ...$args): mixed
{
    resp_send($s, ...$args);
    return resp_read($s);
}

/** One command on a connection of its own. */
function resp_once(int $port, string ...$args): mixed
{
    $s = resp_connect($port);
    $r = resp_call($s, ...$args);
    fclose($s);
    return $r;
}

/** The -d flags that load $exts into a `php -n` process. */
function ext_flags(array $exts, string $paylockSo): array
{
    $flags = [];
    $dir = (string)ini_get('extension_dir');
    foreach ($exts as $e) {
        if ($e === 'paylock') {
            is_file($paylockSo) || fail("$paylockSo is missing; build it first (cd " . dirname(__DIR__) . ' && make -j2)');
            $flags[] = "extension=$paylockSo";
        } elseif ($e === 'redis') {
            // Debian's phpredis is built against igbinary (and maybe msgpack): those must load first.
            foreach (['igbinary', 'msgpack'] as $dep) {
                if (is_file("$dir/$dep.so")) {
                    $flags[] = "extension=$dep";
                }
            }
            $flags[] = 'extension=redis';
        } elseif (is_file("$dir/$e.so")) {
            $flags[] = "extension=$e"; // any other shared extension, e.g. posix
        } else {
            // Not shared: fine if it is compiled in (like pcntl in Debian's CLI).
            extension_loaded($e) || fail("PHP extension $e is missing ($dir/$e.so)");
        }
    }
    return $flags;
}

/** Nearest-rank percentile of an ascending list; NAN when it is empty. */
function percentile(array $sorted, float $p): float
{
    $n = count($sorted);
    return $n === 0 ? NAN : (float)$sorted[max(0, (int)ceil($p / 100 * $n) - 1)];
}

function fmt_ratio(?float $r): string
{
    return $r === null ? '-' : sprintf('%.2fx', $r);
}

/** The file system type a path lives on (longest mount point prefix in /proc/mounts). */
function fs_type(string $path): string
{
    $real = realpath($path) ?: $path;
    $best = '';
    $type = '?';
    foreach (file('/proc/mounts', FILE_IGNORE_NEW_LINES) ?: [] as $line) {
        $f = explode(' ', $line);
        if (count($f) < 3) {
            continue;
        }
        $mnt = str_replace('\\040', ' ', $f[1]);
        $prefix = rtrim($mnt, '/') . '/';
        if (($real === $mnt || str_starts_with($real . '/', $prefix)) && strlen($mnt) >= strlen($best)) {
            $best = $mnt;
            $type = $f[2];
        }
    }
    return $type;
}

/** A fresh private directory $base/$prefix.XXXXXXXX (the caller removes it, e.g. with rm_tree()). */
function make_scratch(string $base, string $prefix): string
{
    for ($i = 0; $i < 10; $i++) {
        $d = rtrim($base, '/') . "/$prefix." . bin2hex(random_bytes(4));
        if (@mkdir($d, 0700)) {
            return $d;
        }
    }
    fail("cannot create a scratch directory under $base");
}

function rm_tree(string $dir): void
{
    if (!is_dir($dir) || is_link($dir)) {
        return;
    }
    foreach (scandir($dir) ?: [] as $e) {
        if ($e === '.' || $e === '..') {
            continue;
        }
        $p = "$dir/$e";
        is_dir($p) && !is_link($p) ? rm_tree($p) : @unlink($p);
    }
    @rmdir($dir);
}

/** $a / $b; null when either is missing or NAN, or $b is 0. */
function ratio(?float $a, ?float $b): ?float
{
    return $a === null || $b === null || $b == 0.0 || is_nan($a) || is_nan($b) ? null : $a / $b;
}

function cpu_count(): ?int
{
    $c = @file_get_contents('/proc/cpuinfo');
    return $c === false ? null : preg_match_all('/^processor\s*:/m', $c);
}

/**
 * Critical sections [in_ns, out_ns] of all processes: how many began before an earlier one ended (a
 * working lock has none; hrtime is CLOCK_MONOTONIC, one clock for all processes) and their total length.
 */
function overlaps_and_held(array $intervals): array
{
    usort($intervals, static fn($a, $b) => $a[0] <=> $b[0]);
    $overlaps = 0;
    $maxOut = 0;
    $heldNs = 0;
    foreach ($intervals as [$in, $out]) {
        if ($in < $maxOut) {
            $overlaps++;
        }
        $maxOut = max($maxOut, $out);
        $heldNs += $out - $in;
    }
    return [$overlaps, $heldNs];
}

/** Writes a benchmark's results as pretty JSON to $path (creating its directory) and says where. */
function write_results_json(string $path, array $json): void
{
    $dir = dirname($path);
    is_dir($dir) || mkdir($dir, 0777, true) || fail("cannot create $dir");
    file_put_contents($path, json_encode($json, JSON_PRETTY_PRINT | JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE) . "\n")
        !== false || fail("cannot write $path");
    fwrite(STDERR, "results written to $path\n");
}

/** The --port option: a port number, or null when not given. */
function port_option(mixed $port): ?int
{
    if ($port === null || $port === '') {
        return null;
    }
    preg_match('/^\d+$/', (string)$port) || fail('--port must be a number');
    return (int)$port;
}

/** Which build was measured: the paylock.so (where it came from, its SHA-1) and the git head. */
function build_provenance(array $o): array
{
    return ['paylock_so' => ['path' => getenv('PAYLOCK_BENCH_EXT_SOURCE') ?: $o['ext'], 'sha1' => @sha1_file($o['ext']) ?: null],
        'git' => git_head()];
}

/**
 * The commands Redis received while $run(callable $begin, callable $end) did its measured work between
 * calling $begin() and $end(), as [source, COMMAND] pairs: source is "lua" for the commands scripts ran,
 * else the client's address. MONITOR watches; two ECHO markers delimit the window.
 */
function monitor_commands(int $port, callable $run): array
{
    $mon = resp_connect($port);
    $ctl = resp_connect($port);
    resp_call($mon, 'MONITOR');
    $start = 'paylock-bench-start-' . bin2hex(random_bytes(4));
    $end = 'paylock-bench-end-' . bin2hex(random_bytes(4));
    $run(static function () use ($ctl, $start) { resp_call($ctl, 'ECHO', $start); },
        static function () use ($ctl, $end) { resp_call($ctl, 'ECHO', $end); });
    $seen = [];
    $inside = false;
    for (;;) {
        $line = resp_read($mon);
        if (!is_string($line)) {
            continue;
        }
        if (str_contains($line, $start)) {
            $inside = true;
        } elseif (str_contains($line, $end)) {
            break;
        } elseif ($inside && preg_match('/^\S+ \[\d+ ([^\]]+)\] "([^"]*)"/', $line, $m)) {
            // MONITOR lines: 1700000000.123456 [0 127.0.0.1:50000] "EVALSHA" ...; script calls show [0 lua].
            $seen[] = [$m[1], strtoupper($m[2])];
        }
    }
    fclose($mon);
    fclose($ctl);
    return $seen;
}

