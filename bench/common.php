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
