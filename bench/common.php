<?php
// Helpers shared by the benchmark scripts (uncontended.php, files.php).

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
        }
    }
    return $flags;
}
