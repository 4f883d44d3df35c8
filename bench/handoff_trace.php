<?php
/**
 * PayLock benchmark, issue 19: where a contended hand-off's time goes, read off the kernel's own
 * timestamps (perf, every system call of every process) instead of an instrumented build. Runs the
 * contended loop of bench/handoff.php twice per round, alternated: PayLock (contention.php's
 * paylock-redis worker) and the guarded baton floor (a Redis list handed on by a script of the release's
 * ten commands, with the woken process writing a lease extension). Each hand-off is split into:
 *
 *   release   the releaser's last system call of its critical section -> its release command's send
 *   to redis  that send -> Redis reading it (the send itself, and Redis woken)
 *   script    Redis reading it -> Redis writing the woken waiter's reply (the script)
 *   wake      that write -> the waiter's poll() returning (the write, and the waiter woken); a waiter
 *             is a process blocked in poll() from before the release's send until after that write
 *   waiter    the waiter's poll() returning -> the send of its lease extension (reading, parsing)
 *   extend    the extension's send
 *   return    after it -> the waiter's next system call (its critical section begins)
 *
 *   php -n bench/handoff_trace.php --port=PORT --so=modules/paylock.so [--procs=8] [--cycles=60] [--rounds=3]
 *
 * Needs perf (apt-get install linux-perf) with tracepoints readable (root, or kernel.perf_event_paranoid
 * <= -1), x86-64 (system call numbers), a Redis without AOF and a quiet machine: other processes named
 * like this PHP binary are traced too. perf adds 1-3 µs to every system call it records, so the totals
 * are above bench/handoff.php's gaps; the two columns are comparable with each other. A hand-off is
 * matched by its signature: Redis reads exactly what a php process sent, then writes two replies in a
 * row (Redis serves the woken waiter first), and another php process reads the first one.
 */

declare(strict_types=1);

require_once __DIR__ . '/common.php';

/* x86-64 system call numbers. */
const NR_READ = 0;
const NR_WRITE = 1;
const NR_CLOSE = 3;
const NR_POLL = 7;
const NR_NANOSLEEP = 35;
const NR_SENDTO = 44;
const NR_RECVFROM = 45;
const NR_SENDMSG = 46;
const NR_CLOCK_NANOSLEEP = 230;
const NR_EPOLL_WAIT = 232;
const NR_EPOLL_PWAIT = 281;
const NR_PPOLL = 271;
const SENDS = [NR_SENDTO, NR_SENDMSG, NR_WRITE];

/* A waiter's reply must reach it within this long of Redis writing it, or the match is not a hand-off. */
const MATCH_WINDOW_US = 500;
/* The releaser's release command follows the end of its critical section by at most this long. */
const RELEASE_WINDOW_US = 300;
const SEGMENTS = ['release', 'to redis', 'script', 'wake', 'waiter', 'extend', 'return', 'total'];

function opts(): array
{
    $o = ['port' => null, 'so' => dirname(__DIR__) . '/modules/paylock.so', 'procs' => 8, 'cycles' => 60, 'rounds' => 3];
    foreach (array_slice($GLOBALS['argv'], 1) as $a) {
        preg_match('/^--([a-z]+)=(.*)$/', $a, $m) || fail("unknown argument $a");
        array_key_exists($m[1], $o) || fail("unknown option --{$m[1]}");
        $o[$m[1]] = $m[2];
    }
    $o['port'] = port_option($o['port'] ?? (getenv('PAYLOCK_BENCH_REDIS_PORT') ?: null)) ?? fail('--port=PORT (a redis-server you started) is required');
    php_uname('m') === 'x86_64' || fail('the system call numbers here are x86-64 ones');
    find_exe('perf') !== null || fail('perf is missing: apt-get install linux-perf');
    return $o;
}

/**
 * Runs $cmd under perf; returns the events of Redis's main thread ($redisPid) and of the $php processes:
 * [comm, tid, µs, enter?, nr, args or return value]. Fails when perf lost events (the searches below
 * would then skip a system call silently).
 */
function traced(array $cmd, int $redisPid, string $php): array
{
    $data = tempnam(sys_get_temp_dir(), 'pltrace');
    [$rc, , $err] = run_cmd(array_merge(['perf', 'record', '-q', '-a', '-m', '4M', '-e', 'raw_syscalls:sys_enter,raw_syscalls:sys_exit',
        '--exclude-perf', '-o', $data, '--'], $cmd));
    $rc === 0 || fail("perf record failed (rc $rc): $err");
    [, $stats] = run_cmd(['perf', 'report', '-i', $data, '--stats']);
    !preg_match('/LOST events:\s*([1-9]\d*)/', (string)$stats, $m) || fail("perf lost {$m[1]} events: run on a quieter machine, or fewer --cycles");
    $p = proc_open(['perf', 'script', '--ns', '-i', $data, '-F', 'comm,pid,tid,time,event,trace'], [1 => ['pipe', 'w'], 2 => ['file', '/dev/null', 'w']], $pipes);
    $ev = [];
    while (($l = fgets($pipes[1])) !== false) {
        if (preg_match('/^\s*(\S+)\s+(\d+)\/(\d+)\s+([\d.]+):\s+raw_syscalls:sys_(enter|exit):\s+NR (\d+) (?:\((.*)\)|= (-?\d+))/', $l, $m)
            && (($m[1] === 'redis-server' && (int)$m[3] === $redisPid) || $m[1] === $php)) {
            $ev[] = [$m[1] === $php ? 'php' : 'redis', (int)$m[3], (float)$m[4] * 1e6, $m[5] === 'enter', (int)$m[6], $m[5] === 'enter' ? $m[7] : (int)$m[8]];
        }
    }
    fclose($pipes[1]);
    proc_close($p);
    unlink($data);
    return $ev;
}

function arg(array $e, int $i): int
{
    return (int)hexdec(trim(explode(',', $e[5])[$i]));
}

/**
 * The hand-offs in $ev: Redis reads a php process's send (the release) and then writes two replies
 * in a row, the first read by another php process (the woken waiter). $ends: the system calls that end a critical
 * section in the releaser. Each hand-off as SEGMENTS => µs.
 */
function handoffs(array $ev, array $ends): array
{
    $byTid = $at = [];
    foreach ($ev as $i => $e) {
        $at[$i] = count($byTid[$e[1]] ?? []);
        $byTid[$e[1]][] = $i;
    }
    // The next ($step 1) or previous (-1) event of thread $tid from event $from that passes $ok.
    $find = static function (int $tid, int $from, int $step, callable $ok) use ($ev, $byTid, $at): ?int {
        for ($k = $at[$from] + $step, $l = $byTid[$tid]; $k >= 0 && $k < count($l); $k += $step) {
            if ($ok($ev[$l[$k]])) {
                return $l[$k];
            }
        }
        return null;
    };
    $out = [];
    $sends = []; // recent php sends not yet read by Redis: length => event
    foreach ($ev as $i => $e) {
        if ($e[0] === 'php' && $e[3] && in_array($e[4], SENDS, true)) {
            $sends[arg($e, 2)] = $i;
        }
        if ($e[0] !== 'redis' || $e[3] || $e[4] !== NR_READ || !isset($sends[$e[5]])) {
            continue;
        }
        $send = $sends[$e[5]]; // Redis read exactly what that php process sent
        unset($sends[$e[5]]);
        $read = $find($e[1], $i, -1, static fn($x) => $x[3] && $x[4] === NR_READ);
        $r = $ev[$send][1];
        if ($read === null) {
            continue;
        }
        // Its first write in the same pass of Redis's event loop (before it waits for events again).
        $write = $find($ev[$read][1], $read, 1, static fn($x) => $x[3] && in_array($x[4], [NR_WRITE, NR_EPOLL_WAIT, NR_EPOLL_PWAIT], true));
        if ($write === null || $ev[$write][4] !== NR_WRITE) {
            continue;
        }
        // A hand-off writes two replies in a row: the woken waiter's, then the releaser's.
        $done = $find($ev[$read][1], $write, 1, static fn($x) => !$x[3]);
        $second = $done === null ? null : $find($ev[$read][1], $done, 1, static fn($x) => $x[3]);
        if ($second === null || $ev[$second][4] !== NR_WRITE || arg($ev[$second], 0) === arg($ev[$write], 0)) {
            continue;
        }
        // ... and the sender reads the second: it was the releaser (not, say, a newcomer's BLPOP read in
        // the same pass). phpredis peeks at one byte (MSG_PEEK) first: reads of one byte or none are skipped.
        $reply = $find($r, $send, 1, static fn($x) => !$x[3] && in_array($x[4], [NR_RECVFROM, NR_READ], true) && $x[5] > 1);
        if ($reply === null || $ev[$reply][5] !== arg($ev[$second], 2)) {
            continue;
        }
        $size = arg($ev[$write], 2);
        $recv = null;
        for ($j = $write + 1; $j < count($ev) && $ev[$j][2] - $ev[$write][2] < MATCH_WINDOW_US; $j++) {
            if ($ev[$j][0] === 'php' && !$ev[$j][3] && in_array($ev[$j][4], [NR_RECVFROM, NR_READ], true) && $ev[$j][5] === $size) {
                $recv = $j;
                break;
            }
        }
        $end = $find($r, $send, -1, static fn($x) => !$x[3] && in_array($x[4], $ends, true));
        if ($recv === null || $ev[$recv][1] === $r || $end === null || $ev[$send][2] - $ev[$end][2] > RELEASE_WINDOW_US) {
            continue;
        }
        $w = $ev[$recv][1];
        // A waiter: it was blocked in poll() from before the release was sent until after Redis's write.
        $poll = $find($w, $recv, -1, static fn($x) => !$x[3] && in_array($x[4], [NR_POLL, NR_PPOLL], true));
        $polled = $poll === null ? null : $find($w, $poll, -1, static fn($x) => $x[3]);
        if ($polled === null || $ev[$polled][2] > $ev[$send][2] || $ev[$poll][2] < $ev[$write][2]) {
            continue;
        }
        $woke = $ev[$poll][2];
        $ext = $find($w, $recv, 1, static fn($x) => $x[3] && in_array($x[4], SENDS, true));
        $sent = $ext === null ? null : $find($w, $ext, 1, static fn($x) => !$x[3]);
        $next = $sent === null ? null : $find($w, $sent, 1, static fn($x) => $x[3]);
        if ($next === null) {
            continue;
        }
        $t = [$ev[$end][2], $ev[$send][2], $ev[$read][2], $ev[$write][2], $woke, $ev[$ext][2], $ev[$sent][2], $ev[$next][2]];
        $seg = [];
        for ($k = 0; $k < 7; $k++) {
            $seg[SEGMENTS[$k]] = $t[$k + 1] - $t[$k];
        }
        $seg['total'] = $t[7] - $t[0];
        $out[] = $seg;
    }
    return $out;
}

function main(): void
{
    $o = opts();
    $info = (string)resp_once((int)$o['port'], 'INFO', 'server');
    preg_match('/process_id:(\d+)/', $info, $m) || fail('INFO server gave no process_id');
    $redisPid = (int)$m[1];
    // With persistence Redis writes its AOF before the replies, and the matching below would find none.
    resp_once((int)$o['port'], 'CONFIG', 'GET', 'appendonly')[1] === 'no' || fail('use a Redis without AOF (appendonly no)');
    $php = basename(PHP_BINARY);
    $so = sys_get_temp_dir() . '/paylock-trace-' . getmypid() . '.so';
    copy($o['so'], $so) || fail("cannot copy {$o['so']}");
    $kinds = [
        'PayLock' => [static function () use ($o, $so, $redisPid, $php): array {
            $dir = make_scratch(sys_get_temp_dir(), 'pltr');
            $cmd = array_merge([PHP_BINARY, '-n'], array_merge(...array_map(static fn($f) => ['-d', $f], ext_flags(['paylock', 'posix'], $so))),
                [__DIR__ . '/contention.php', '--worker=paylock-redis', "--procs={$o['procs']}", "--cycles={$o['cycles']}", '--hold-us=1000',
                    '--think-us=2000', '--wait=60', '--run-timeout=300', "--dir=$dir", '--name=pltr' . mt_rand(), "--port={$o['port']}"]);
            $ev = traced($cmd, $redisPid, $php);
            rm_tree($dir);
            return handoffs($ev, [NR_CLOSE]); // the critical section ends with fclose() of the counter
        }],
        'guarded baton' => [static function () use ($o, $redisPid, $php): array {
            $cmd = array_merge([PHP_BINARY, '-n'], array_merge(...array_map(static fn($f) => ['-d', $f], ext_flags(['redis', 'posix'], ''))),
                [__DIR__ . '/handoff.php', '--worker=baton', '--baton=guarded', "--procs1={$o['procs']}", "--cycles={$o['cycles']}", "--port={$o['port']}"]);
            return handoffs(traced($cmd, $redisPid, $php), [NR_NANOSLEEP, NR_CLOCK_NANOSLEEP]); // ... with usleep()
        }],
    ];
    printf("load average before: %s; P = %d, %d cycles, %d rounds, PayLock = %s\n", loadavg(), $o['procs'], $o['cycles'], $o['rounds'], $o['so']);
    $res = array_fill_keys(array_keys($kinds), []);
    for ($round = 1; $round <= (int)$o['rounds']; $round++) {
        $order = $round % 2 ? array_keys($kinds) : array_reverse(array_keys($kinds));
        foreach ($order as $k) {
            array_push($res[$k], ...$kinds[$k][0]());
        }
    }
    @unlink($so);
    $cycles = (int)$o['rounds'] * (int)$o['procs'] * (int)$o['cycles'];
    printf("\nmedian µs per segment of a hand-off (p25-p75), %s (of at most %d cycles each; the match windows drop hand-offs slower than %d µs)\n",
        implode(', ', array_map(static fn($k) => "$k: " . count($res[$k]) . ' hand-offs', array_keys($res))), $cycles, RELEASE_WINDOW_US);
    printf("%-10s %20s %20s %8s\n", 'segment', 'PayLock', 'guarded baton', 'diff');
    foreach (SEGMENTS as $s) {
        $cell = static function (array $h) use ($s): array {
            $v = array_column($h, $s);
            sort($v);
            return [percentile($v, 50), sprintf('%.0f (%.0f-%.0f)', percentile($v, 50), percentile($v, 25), percentile($v, 75))];
        };
        [$a, $ta] = $cell($res['PayLock']);
        [$b, $tb] = $cell($res['guarded baton']);
        printf("%-10s %20s %20s %+8.0f\n", $s, $ta, $tb, $a - $b);
    }
    printf("\nload average after: %s\n", loadavg());
}

main();
