<?php
/**
 * PayLock benchmark, issue 19: two builds of paylock.so (A, B) alternated in the same rounds.
 *
 *   - contended lock (bench/contention.php's paylock-redis worker, P processes x C cycles, 1 ms hold,
 *     0-2 ms think): utilisation, the median hand-off gap (end of one critical section -> start of the
 *     next, when the next holder was already waiting) and its split (the releaser's release() call; from
 *     its reply to the next holder's start), p99 wait, lost updates;
 *   - the floors on the same machine: a kernel flock hand-off between PHP processes (same loop), one
 *     Redis RPUSH -> BLPOP trip between two PHP processes (phpredis ping-pong / 2), and at each P the
 *     one-trip floor: the same loop on a lock that is one Redis list (BLPOP takes, RPUSH gives; also
 *     given back from a script of the release's ten commands);
 *   - MultiLock: uncontended acquire + release of 1, 10, 100 and 1000 names: the cost per name;
 *   - idempotency: run() first delivery and replay with 1 KB, 100 KB and 1 MB results, against a plain
 *     SET and GET (phpredis) of the same bytes, and the round-trip limit (a SET: 1 trip; 2 SETs: 2 trips);
 *   - memory: --mem-cycles uncontended Lock cycles (default 1,000,000) and MultiLock cycles, memory and RSS.
 *
 *   php -n bench/handoff.php --port=PORT --a=/tmp/old.so --b=modules/paylock.so [--rounds=8]
 *        [--procs=8,32,128] [--cycles=40] [--mem-cycles=1000000] [--skip=contention,mem,multi,idem,floors]
 *        [--idem-rounds=3] (the idempotency sizes run in the first N rounds only: 1 MB x 40 per build is slow)
 *        [--json=bench/results/handoff.json]
 *
 * Every measurement runs in a fresh `php -n` with one build loaded; round r runs A first when r is odd,
 * B first when even. The load average is printed before and after.
 *
 * Internal: --worker=KIND (flock, ping, baton, multi, idem, mem) runs one measurement and prints one JSON
 * line (--baton=plain|script|extended|guarded, --procs1=P for the floors at P).
 */

declare(strict_types=1);

require_once __DIR__ . '/common.php';

function opts(): array
{
    $o = ['port' => null, 'a' => null, 'b' => null, 'rounds' => 8, 'procs' => '8,32,128', 'cycles' => 40,
        'mem-cycles' => 1000000, 'skip' => '', 'idem-rounds' => 3, 'json' => __DIR__ . '/results/handoff.json', 'worker' => null,
        'procs1' => 8, 'baton' => 'plain', 'ext' => null, 'dir' => null, 'role' => null];
    foreach (array_slice($GLOBALS['argv'], 1) as $a) {
        preg_match('/^--([a-z0-9-]+)=(.*)$/s', $a, $m) || fail("unknown argument $a");
        array_key_exists($m[1], $o) || fail("unknown option --{$m[1]}");
        $o[$m[1]] = $m[2];
    }
    $o['port'] = port_option($o['port'] ?? (getenv('PAYLOCK_BENCH_REDIS_PORT') ?: null));
    return $o;
}

function store(array $o): PayLock\RedisStore
{
    return new PayLock\RedisStore("redis://127.0.0.1:{$o['port']}");
}

/* ---- workers (one build loaded) ---- */

/**
 * P processes running the same loop as contention.php (1 ms hold, 0-2 ms think) on a lock made by
 * $make() in each child: [acquire, release] closures. The intervals of every child, as gaps_of() reads them.
 */
function loop_floor(array $o, int $n, callable $make): array
{
    $file = tempnam(sys_get_temp_dir(), 'plfloor');
    [$r, $w] = stream_socket_pair(STREAM_PF_UNIX, STREAM_SOCK_STREAM, STREAM_IPPROTO_IP);
    $kids = [];
    for ($c = 0; $c < $n; $c++) {
        $out = "$file.$c";
        if (($pid = pcntl_fork()) === 0) {
            fclose($w);
            [$acquire, $release] = $make($file);
            fread($r, 1);
            $iv = [];
            for ($i = 0; $i < (int)$o['cycles']; $i++) {
                $t0 = hrtime(true);
                $acquire();
                $t1 = hrtime(true);
                usleep(1000);
                $t2 = hrtime(true);
                $release();
                $iv[] = [$t1, $t2, $t0, hrtime(true)];
                usleep(random_int(0, 2000));
            }
            file_put_contents($out, json_encode($iv));
            exit(0);
        }
        $kids[] = [$pid, $out];
    }
    fclose($r);
    fclose($w);
    $all = [];
    foreach ($kids as [$pid, $out]) {
        pcntl_waitpid($pid, $st);
        array_push($all, ...json_decode((string)file_get_contents($out), true));
        unlink($out);
    }
    unlink($file);
    return gaps_of($all);
}

/** Kernel flock hand-off floor: P processes, the same loop as contention.php. */
function w_flock(array $o): array
{
    return loop_floor($o, (int)$o['procs1'], static function (string $file): array {
        $h = fopen($file, 'c');
        return [static fn() => flock($h, LOCK_EX), static fn() => flock($h, LOCK_UN)];
    });
}

/**
 * The one-trip Redis floor at P processes: the same loop on a lock that is nothing but a Redis list
 * holding one baton. Acquire = BLPOP (Redis serves blocked clients first come, first served), release =
 * RPUSH: each hand-off is exactly one RPUSH -> BLPOP trip, among as many processes as the contended
 * measurement runs (no lease, no queue, no safety: the physical limit, not a lock). --baton=script gives
 * the baton back from a Lua script running the same ten commands as PayLock's contended release (GET,
 * LRANGE, HGET, TIME, LPOP, HDEL, SET, RPUSH, PEXPIRE, SET) on scratch keys whose list and hash stay
 * empty: the part of the gap that is Redis running a script rather than one RPUSH (less the work of a
 * real queue's entries). --baton=guarded adds what keeps a dead waiter from stalling the queue: the
 * woken process writes a lease extension (a small GET + PEXPIRE script) on its own socket as soon
 * as its BLPOP returns, and reads the reply before its release. That row is the best any one-trip design
 * with today's dead-waiter bound can do here: Redis runs the release's commands, the waiter makes its one
 * write, and nothing else costs (no parsing, no state, phpredis's client). --baton=extended is the bare
 * baton with that write: what the extension costs whatever the queue's script does.
 */
const BATON_SCRIPT = "redis.call('GET', KEYS[2]) redis.call('LRANGE', KEYS[3], '0', '1') redis.call('HGET', KEYS[4], 'x')"
    . " redis.call('TIME') redis.call('LPOP', KEYS[3]) redis.call('HDEL', KEYS[4], 'x')"
    . " redis.call('SET', KEYS[2], ARGV[1], 'PX', '1000') redis.call('RPUSH', KEYS[1], '1')"
    . " redis.call('PEXPIRE', KEYS[1], '60000') redis.call('SET', KEYS[5], ARGV[1], 'PX', '5000') return 1";

/* The batons: how the baton is given back (RPUSH, or the release's ten commands) and whether the woken
 * process writes a lease extension (extended: RPUSH + extension; guarded: script + extension). */
const BATONS = ['plain', 'script', 'extended', 'guarded'];

/* The extension: PayLock's lease extension (GET, then PEXPIRE), costed, not checked. */
const BATON_EXTEND = "if redis.call('GET', KEYS[1]) then return redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return 0";

/** The guarded baton's extension on a socket of its own: written without waiting, its reply read later. */
function extension_writer(array $o, string $lockKey): array
{
    $s = stream_socket_client("tcp://127.0.0.1:{$o['port']}", $errno, $err, 5, STREAM_CLIENT_CONNECT,
        stream_context_create(['socket' => ['tcp_nodelay' => true]])); // one small write, as PayLock's
    $s || fail("baton floor: cannot connect: $err");
    $sha = resp_call($s, 'SCRIPT', 'LOAD', BATON_EXTEND);
    $owed = false;
    $write = static function () use ($s, $sha, $lockKey, &$owed): void {
        resp_send($s, 'EVALSHA', $sha, '1', $lockKey, '10000');
        $owed = true;
    };
    $settle = static function () use ($s, &$owed): void {
        if ($owed) {
            is_int(resp_read($s)) || fail('baton floor: the extension failed');
            $owed = false;
        }
    };
    return [$write, $settle];
}

function w_baton(array $o): array
{
    in_array($o['baton'], BATONS, true) || fail("--baton={$o['baton']}: " . implode(', ', BATONS));
    $key = 'plbaton:' . getmypid();
    $r = new Redis();
    $r->connect('127.0.0.1', (int)$o['port']);
    $r->del($key);
    $r->rPush($key, '1');
    $r->set("$key:l", '1'); // what the extension extends (the script batons write it again)
    $res = loop_floor($o, (int)$o['procs1'], static function () use ($o, $key): array {
        $c = new Redis();
        $c->connect('127.0.0.1', (int)$o['port']);
        // A BLPOP that timed out would count as holding the baton and put a second one in circulation.
        $take = static fn() => $c->blPop([$key], 60) ?: fail('baton floor: BLPOP timed out');
        if (in_array($o['baton'], ['plain', 'extended'], true)) {
            $give = static fn() => $c->rPush($key, '1');
        } else {
            $sha = $c->script('load', BATON_SCRIPT);
            $keys = [$key, "$key:l", "$key:q", "$key:w", "$key:r", bin2hex(random_bytes(16))];
            $give = static fn() => $c->evalSha($sha, $keys, 5);
        }
        if (in_array($o['baton'], ['plain', 'script'], true)) {
            return [$take, $give];
        }
        [$extend, $settle] = extension_writer($o, "$key:l");
        return [static function () use ($take, $extend): void {
            $take();
            $extend();
        }, static function () use ($give, $settle): void {
            $settle();
            $give();
        }];
    });
    $r->del($key, "$key:l", "$key:q", "$key:w", "$key:r");
    return $res;
}

/** The gaps of intervals [t1, t2, t0, t3] where the next holder already waited. */
function gaps_of(array $iv): array
{
    usort($iv, static fn($a, $b) => $a[0] <=> $b[0]);
    $g = [];
    $held = 0;
    foreach ($iv as $i => $x) {
        $held += $x[1] - $x[0];
        if (isset($iv[$i + 1]) && $iv[$i + 1][2] < $x[1]) {
            $g[] = [$iv[$i + 1][0] - $x[1], $x[3] - $x[1], $iv[$i + 1][0] - $x[3]];
        }
    }
    $wall = end($iv)[1] - $iv[0][0];
    return ['handoff_gaps_ns' => $g, 'util' => $held / max(1, $wall)];
}

/** One Redis RPUSH -> BLPOP trip between two PHP processes (phpredis): ping-pong, total / (2 N). */
function w_ping(array $o): array
{
    $n = 3000;
    $key = 'plping:' . getmypid();
    if (($pid = pcntl_fork()) === 0) {
        $r = new Redis();
        $r->connect('127.0.0.1', (int)$o['port']);
        for ($i = 0; $i < $n; $i++) {
            $r->blPop(["$key:a"], 5);
            $r->rPush("$key:b", '1');
        }
        exit(0);
    }
    $r = new Redis();
    $r->connect('127.0.0.1', (int)$o['port']);
    usleep(50000);
    $t = hrtime(true);
    for ($i = 0; $i < $n; $i++) {
        $r->rPush("$key:a", '1');
        $r->blPop(["$key:b"], 5);
    }
    $ns = hrtime(true) - $t;
    pcntl_waitpid($pid, $st);
    return ['trip_us' => $ns / (2 * $n) / 1e3];
}

/** MultiLock: uncontended acquire + release of N names, µs per cycle. */
function w_multi(array $o): array
{
    $s = store($o);
    $out = [];
    foreach ([1, 10, 100, 1000] as $n) {
        $names = [];
        for ($i = 0; $i < $n; $i++) {
            $names[] = "plm:" . getmypid() . ":$i";
        }
        $m = new PayLock\MultiLock($s, $names, 30);
        $cycles = max(10, intdiv(2000, $n));
        $m->acquire();
        $m->release();
        $t = hrtime(true);
        for ($i = 0; $i < $cycles; $i++) {
            $m->acquire();
            $m->release();
        }
        $out[$n] = (hrtime(true) - $t) / $cycles / 1e3;
    }
    $out['per_name_us'] = ($out[1000] - $out[1]) / 999;
    return $out;
}

/** Idempotency run(): first delivery and replay of results of several sizes, and plain SET / GET. */
function w_idem(array $o): array
{
    $s = store($o);
    $r = new Redis();
    $r->connect('127.0.0.1', (int)$o['port']);
    $g = new PayLock\IdempotencyGuard($s);
    $out = [];
    foreach (['16B' => 16, '1KB' => 1024, '100KB' => 102400, '1MB' => 1000000] as $label => $size) {
        $v = random_bytes($size);
        $n = $size >= 1000000 ? 40 : ($size >= 102400 ? 200 : 2000);
        $sum = ['first' => 0, 'replay' => 0, 'set' => 0, 'get' => 0, 'two' => 0];
        for ($i = 0; $i < $n; $i++) {
            $k = "pli:" . getmypid() . ":$label:$i";
            // The writes, then the reads (which need them), each group in an order that rotates every
            // iteration: what runs just before an operation (a 1 MB GET leaves Redis a warm 1 MB buffer
            // that makes the next 1 MB SET cheaper) lands on PayLock and on the plain commands alike.
            $writes = [
                'first' => static fn() => $g->run($k, static fn() => $v),
                'set' => static fn() => $r->set("plraw:$k", $v),
                'two' => static function () use ($r, $k, $v) {
                    $r->set("plraw2:$k", '1');
                    $r->set("plraw2:$k", $v);
                },
            ];
            $reads = [
                'replay' => static fn() => $g->run($k, static fn() => 'never') === $v || fail('idem: wrong replay'),
                'get' => static fn() => $r->get("plraw:$k") === $v || fail('idem: wrong GET'),
            ];
            foreach ([$writes, $reads] as $ops) {
                $names = array_keys($ops);
                $names = array_merge(array_slice($names, $i % count($names)), array_slice($names, 0, $i % count($names)));
                foreach ($names as $op) {
                    $t = hrtime(true);
                    $ops[$op]();
                    $sum[$op] += hrtime(true) - $t;
                }
            }
        }
        [$first, $replay, $set, $get, $set2] = [$sum['first'], $sum['replay'], $sum['set'], $sum['get'], $sum['two']];
        $out[$label] = ['first_us' => $first / $n / 1e3, 'replay_us' => $replay / $n / 1e3,
            'set_us' => $set / $n / 1e3, 'get_us' => $get / $n / 1e3, 'two_trips_us' => $set2 / $n / 1e3];
    }
    $r->flushDb();
    return $out;
}

function rss_kb(): int
{
    return preg_match('/^VmRSS:\s+(\d+)/m', (string)file_get_contents('/proc/self/status'), $m) ? (int)$m[1] : -1;
}

/** Memory over many uncontended cycles: Lock; every 10th also a MultiLock (3 names) and a fenced Lock cycle. */
function w_mem(array $o): array
{
    $s = store($o);
    $n = (int)$o['mem-cycles'];
    $l = new PayLock\Lock($s, 'plmem:' . getmypid(), 30);
    $ml = new PayLock\MultiLock($s, ['plmem:a', 'plmem:b', 'plmem:c'], 30);
    $marks = [];
    $t = hrtime(true);
    for ($i = 1; $i <= $n; $i++) {
        $l->acquire();
        $l->release();
        if ($i % 10 === 0) {
            $ml->acquire();
            $ml->release();
            $l->acquire();
            $l->fencingToken();
            $l->release();
        }
        if ($i === intdiv($n, 10) || $i === $n) {
            $marks[] = ['cycles' => $i, 'memory' => memory_get_usage(), 'peak' => memory_get_peak_usage(), 'rss_kb' => rss_kb()];
        }
    }
    return ['marks' => $marks, 'us_per_cycle' => (hrtime(true) - $t) / $n / 1e3];
}

/* ---- driver ---- */

/**
 * `php -n` with the extensions loaded and warnings on stderr: PayLock's deployment warnings (a Redis
 * without persistence, say) must not land in the JSON line a worker prints on stdout.
 */
function php_cmd(array $ext, string $so): array
{
    $cmd = [PHP_BINARY, '-n', '-d', 'display_errors=stderr'];
    foreach (ext_flags($ext, $so) as $f) {
        array_push($cmd, '-d', $f);
    }
    return $cmd;
}

function run_worker(array $o, string $so, array $args, array $ext = ['paylock', 'posix']): array
{
    $cmd = php_cmd($ext, $so);
    array_push($cmd, __FILE__, ...$args);
    $cmd[] = "--port={$o['port']}";
    [$rc, $out, $err] = run_cmd($cmd);
    $j = json_decode(trim((string)$out), true);
    is_array($j) || fail('worker ' . implode(' ', $args) . " failed (rc $rc): $err $out");
    return $j;
}

function contention(array $o, string $so, int $p): array
{
    $dir = make_scratch(sys_get_temp_dir(), 'plho');
    $cmd = php_cmd(['paylock', 'posix'], $so);
    array_push($cmd, __DIR__ . '/contention.php', '--worker=paylock-redis', "--procs=$p", "--cycles={$o['cycles']}",
        '--hold-us=1000', '--think-us=2000', '--wait=60', '--run-timeout=300', "--dir=$dir", '--name=plho' . mt_rand(),
        "--port={$o['port']}");
    [$rc, $out, $err] = run_cmd($cmd);
    rm_tree($dir);
    $r = json_decode(trim((string)$out), true);
    is_array($r) || fail("contention worker failed (rc $rc): $err");
    $waits = $r['waits_ns'];
    sort($waits);
    $g = $r['handoff_gaps_ns'] ?? [];
    return ['util' => $r['held_ns'] / max(1, $r['wall_ns']), 'p99_ms' => percentile($waits, 99) / 1e6,
        'gap_us' => $g ? median(array_column($g, 0)) / 1e3 : NAN,
        'release_us' => $g ? median(array_column($g, 1)) / 1e3 : NAN,
        'after_reply_us' => $g ? median(array_column($g, 2)) / 1e3 : NAN,
        'lost' => $r['lost_updates'], 'overlaps' => $r['overlaps'], 'errors' => $r['error_count']];
}

function main(): void
{
    $o = opts();
    if ($o['worker'] !== null) {
        $f = 'w_' . $o['worker'];
        function_exists($f) || fail("unknown worker {$o['worker']}");
        echo json_encode($f($o)), "\n";
        return;
    }
    $o['port'] !== null || fail('--port=PORT (a redis-server you started) is required');
    $builds = ['A' => $o['a'] ?? fail('--a=OLD.so'), 'B' => $o['b'] ?? fail('--b=NEW.so')];
    foreach ($builds as $k => $so) {
        $copy = sys_get_temp_dir() . "/paylock-handoff-$k-" . getmypid() . '.so';
        copy($so, $copy) || fail("cannot copy $so");
        $builds[$k] = $copy; // a rebuild during the run cannot crash the workers
    }
    $skip = array_filter(explode(',', $o['skip']));
    $procs = array_map('intval', explode(',', $o['procs']));
    $load0 = loadavg();
    printf("load average before: %s; %d rounds, A = %s, B = %s\n", $load0, $o['rounds'], $o['a'], $o['b']);
    $res = [];
    for ($round = 1; $round <= (int)$o['rounds']; $round++) {
        $order = $round % 2 ? ['A', 'B'] : ['B', 'A'];
        foreach (in_array('contention', $skip, true) ? [] : $procs as $p) {
            foreach ($order as $k) {
                $res['contention'][$p][$k][] = contention($o, $builds[$k], $p);
            }
            foreach (in_array('floors', $skip, true) ? [] : BATONS as $kind) {
                $b = run_worker($o, $builds['B'], ['--worker=baton', "--baton=$kind", "--procs1=$p", "--cycles={$o['cycles']}"], ['redis', 'posix']);
                $res[$kind === 'plain' ? 'floor_baton' : "floor_baton_$kind"][$p][] =
                    $b['handoff_gaps_ns'] ? median(array_column($b['handoff_gaps_ns'], 0)) / 1e3 : NAN;
            }
        }
        if (!in_array('floors', $skip, true)) {
            $res['floor_flock'][] = run_worker($o, $builds['B'], ['--worker=flock', "--cycles={$o['cycles']}"], ['posix']);
            $res['floor_trip'][] = run_worker($o, $builds['B'], ['--worker=ping'], ['redis', 'posix'])['trip_us'];
        }
        if (!in_array('multi', $skip, true)) {
            foreach ($order as $k) {
                $res['multi'][$k][] = run_worker($o, $builds[$k], ['--worker=multi']);
            }
        }
        if (!in_array('idem', $skip, true) && $round <= (int)$o['idem-rounds']) {
            foreach ($order as $k) {
                $res['idem'][$k][] = run_worker($o, $builds[$k], ['--worker=idem'], ['paylock', 'redis', 'posix']);
            }
        }
        fprintf(STDERR, "round %d done, load %s\n", $round, loadavg());
    }
    $floorTrip = isset($res['floor_trip']) ? median($res['floor_trip']) : NAN;
    $flock = isset($res['floor_flock']) ? median(array_map(static fn($f) => median(array_column($f['handoff_gaps_ns'], 0)) / 1e3, $res['floor_flock'])) : NAN;
    $flockUtil = isset($res['floor_flock']) ? median(array_column($res['floor_flock'], 'util')) : NAN;
    printf("\nfloors (median of rounds): one RPUSH->BLPOP trip between two PHP processes %.0f µs; kernel flock hand-off %.0f µs (util %.3f at P=8)\n",
        $floorTrip, $flock, $flockUtil);
    foreach ($res['floor_baton'] ?? [] as $p => $g) {
        $x = static fn(string $k) => [median($res["floor_baton_$k"][$p]), median($res["floor_baton_$k"][$p]) / median($g)];
        printf("one-trip floor at P=%d (the same loop, the lock one Redis list: BLPOP takes, RPUSH gives): gap %.0f µs; with the woken process's extension write (extended): %.0f µs (%.2fx); given by a script of the release's 10 commands: %.0f µs (%.2fx); both (guarded): %.0f µs (%.2fx)\n",
            $p, median($g), ...$x('extended'), ...$x('script'), ...$x('guarded'));
    }
    echo "\ncontended (median of rounds; paired = median of per-round B/A; gap/floor: against the two-process trip; gap/floor P: against the one-trip floor at P; gap/guarded P: against the guarded baton at P):\n";
    printf("%5s %3s %6s %8s %9s %11s %8s %5s %5s | %9s %10s %11s %13s %8s\n", 'P', 'b', 'util', 'gap µs', 'rel µs', 'after µs',
        'p99 ms', 'lost', 'ovl', 'util B/A', 'gap/floor', 'gap/floor P', 'gap/guarded P', 'p99 B/A');
    foreach ($res['contention'] ?? [] as $p => $by) {
        $pu = $pp = [];
        foreach ($by['A'] as $i => $a) {
            $pu[] = $by['B'][$i]['util'] / $a['util'];
            $pp[] = $by['B'][$i]['p99_ms'] / $a['p99_ms'];
        }
        foreach (['A', 'B'] as $k) {
            $rows = $by[$k];
            $gap = median(array_filter(array_column($rows, 'gap_us'), static fn($x) => !is_nan($x)));
            $floorP = isset($res['floor_baton'][$p]) ? median($res['floor_baton'][$p]) : NAN;
            $guardedP = isset($res['floor_baton_guarded'][$p]) ? median($res['floor_baton_guarded'][$p]) : NAN;
            printf("%5d %3s %6.3f %8.0f %9.0f %11.0f %8.1f %5d %5d | %9s %10.2f %11.2f %13.2f %8s\n", $p, $k, median(array_column($rows, 'util')),
                $gap, median(array_column($rows, 'release_us')), median(array_column($rows, 'after_reply_us')),
                median(array_column($rows, 'p99_ms')), array_sum(array_column($rows, 'lost')), array_sum(array_column($rows, 'overlaps')),
                $k === 'B' ? sprintf('%.3f', median($pu)) : '', $gap / $floorTrip, $gap / $floorP, $gap / $guardedP, $k === 'B' ? sprintf('%.2f', median($pp)) : '');
        }
    }
    if (isset($res['multi'])) {
        echo "\nMultiLock uncontended acquire+release, µs per cycle (median of rounds):\n";
        foreach (['A', 'B'] as $k) {
            $m = $res['multi'][$k];
            printf("  %s: 1 name %.0f, 10 names %.0f, 100 names %.0f, 1000 names %.0f; per name %.1f µs\n", $k,
                median(array_column($m, '1')), median(array_column($m, '10')), median(array_column($m, '100')),
                median(array_column($m, '1000')), median(array_column($m, 'per_name_us')));
        }
    }
    if (isset($res['idem'])) {
        echo "\nidempotency run(), µs (median of rounds): first delivery / replay vs 2 SETs / SET, and vs plain SET / GET of the same bytes\n";
        foreach (['A', 'B'] as $k) {
            foreach (array_keys($res['idem'][$k][0]) as $size) {
                $col = static fn($f) => median(array_map(static fn($r) => $r[$size][$f], $res['idem'][$k]));
                printf("  %s %5s: first %7.0f (%.2fx of 2 trips, SET %.0f -> %.2fx), replay %7.0f (%.2fx of 1 trip, GET %.0f -> %.2fx)\n",
                    $k, $size, $col('first_us'), $col('two_trips_us') / $col('first_us'), $col('set_us'), $col('first_us') / $col('set_us'),
                    $col('replay_us'), $col('set_us') / $col('replay_us'), $col('get_us'), $col('replay_us') / $col('get_us'));
            }
        }
    }
    if (!in_array('mem', $skip, true)) {
        $m = run_worker($o, $builds['B'], ['--worker=mem', "--mem-cycles={$o['mem-cycles']}"]);
        $res['mem'] = $m;
        [$a, $b] = $m['marks'];
        printf("\nmemory, B, %d Lock cycles (+ every 10th: a 3-name MultiLock cycle and a Lock cycle with a fencing token): memory %d -> %d bytes, RSS %d -> %d kB (%.0f µs/cycle)\n",
            $b['cycles'], $a['memory'], $b['memory'], $a['rss_kb'], $b['rss_kb'], $m['us_per_cycle']);
    }
    $load1 = loadavg();
    printf("\nload average after: %s\n", $load1);
    foreach ($builds as $copy) {
        @unlink($copy);
    }
    $res['load'] = [$load0, $load1];
    write_results_json($o['json'], json_decode(json_encode($res, JSON_PARTIAL_OUTPUT_ON_ERROR), true) ?? []);
}

main();
