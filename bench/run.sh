#!/usr/bin/env bash
# PayLock benchmark, one command: installs what is missing (Debian packages), starts a private
# redis-server on a free 127.0.0.1 port, runs bench/uncontended.php against PayLock and its peers,
# prints the table (results also go to bench/results/uncontended.json) and stops the server.
#
#   bash bench/run.sh [--iterations=N] [--rounds=N] [--warmup=N] [--only=paylock,phpredis,...] [--no-monitor]
#                     [--no-files | --files-only] [--files-OPTION=VALUE ...] [--no-idem | --idem-only]
#                     [--no-contention | --contention-only] [--contention-OPTION=VALUE ...]
#                     [--no-tls | --tls-only] [--tls-OPTION=VALUE ...]
#
# Then runs bench/files.php (file locks: FileStore vs C loops, raw flock, symfony FlockStore;
# FallbackStore vs RedisStore; 8 contending processes) against the same redis-server; results in
# bench/results/files.json. --iterations, --rounds and --warmup go to both scripts, --files-X=V is
# passed to files.php as --X=V (e.g. --files-procs=16, --files-no-strace), anything else to
# uncontended.php only. Then bench/idempotency.php (idempotency guard: replay and claim+complete vs
# phpredis GET+SETEX and the round-trip limit); results in bench/results/idempotency.json.
# Last, bench/contention.php (8, 32 and 128 processes x 40 cycles on one name: PayLock Redis/FileStore vs
# symfony/lock and malkusch/lock; utilisation, waits vs the FIFO bound, lost updates; about 1 min on 2 CPUs);
# results in bench/results/contention.json. It gets only --contention-X=V, passed as --X=V (e.g.
# --contention-procs=8, --contention-rounds=3, --contention-only=paylock-redis,symfony-redis), and runs
# on every CPU (redis-server stays pinned as below). Then bench/tls.php (the TLS port of the same server:
# PayLock rediss:// vs phpredis tls:// and redis-benchmark --tls; --tls-base-ext=OLD.so adds an A/B of
# the plain cycle against another build); results in bench/results/tls.json.
#
# Env: PAYLOCK_BENCH_ITERATIONS, PAYLOCK_BENCH_ROUNDS, PAYLOCK_BENCH_EXT (path to paylock.so),
#      PAYLOCK_BENCH_PIN = same (default) | split | off: where redis-server and the clients run.
#        same:  redis-server and every client on one CPU (the last). Each cycle then costs exactly the
#               CPU work of client + kernel + server; no cross-CPU wake-ups, whose cost on VMs swings a
#               lot with where the scheduler happens to put the two processes.
#        split: redis-server on the last CPU, clients on the one before it (needs 2 CPUs).
#        off:   no pinning; expect bimodal numbers on small VMs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
# shellcheck source-path=SCRIPTDIR
. "$here/lib.sh"

bench_ensure_packages
command -v php >/dev/null || {
	bench_log "php (CLI) not found: apt-get install php-cli"
	exit 2
}

ext=${PAYLOCK_BENCH_EXT:-$root/modules/paylock.so}
if [ ! -f "$ext" ]; then
	if [ -f "$root/Makefile" ]; then
		bench_log "$ext is missing; building it (make -j2)"
		make -C "$root" -j2 >&2
	fi
	[ -f "$ext" ] || {
		bench_log "$ext is missing: build the extension first (phpize && ./configure && make)"
		exit 2
	}
fi

# A TLS port beside the plain one, for bench/tls.php (certificates made with openssl, as the tests do).
# shellcheck source=tests/_support/tls.sh
. "$root/tests/_support/tls.sh"
tls_dir=$(mktemp -d "${TMPDIR:-/tmp}/paylock-bench-tls.XXXXXX")
paylock_tls_certs "$tls_dir"
tls_port=$(paylock_free_port)
mapfile -t tls_args < <(paylock_tls_server_args "$tls_port" "$tls_dir" no)
bench_redis_start "${tls_args[@]}" # traps EXIT/INT/TERM to stop it again
# Benchmark a private copy: a rebuild of modules/paylock.so during the run would otherwise crash the
# workers that have it mapped (SIGBUS) or mix two builds in one table.
cp "$ext" "$BENCH_WORK/paylock.so"
php -n -d "extension=$BENCH_WORK/paylock.so" -r 'exit(extension_loaded("paylock") ? 0 : 1);' || {
	bench_log "$ext does not load (is a build writing it right now?); try again"
	exit 2
}

# Split the arguments between the two benchmarks.
uargs=()
fargs=()
run_uncontended=1
run_files=1
run_idem=1
iargs=()
run_contention=1
cargs=()
run_tls=1
targs=()
for arg in "$@"; do
	case $arg in
	--no-files) run_files=0 ;;
	--no-idem) run_idem=0 ;;
	--no-contention) run_contention=0 ;;
	--no-tls) run_tls=0 ;;
	--tls-only) run_uncontended=0 run_files=0 run_idem=0 run_contention=0 ;;
	--tls-*) targs+=("--${arg#--tls-}") ;;
	--files-only) run_uncontended=0 run_idem=0 run_contention=0 run_tls=0 ;;
	--idem-only) run_uncontended=0 run_files=0 run_contention=0 run_tls=0 ;;
	--contention-only) run_uncontended=0 run_files=0 run_idem=0 run_tls=0 ;;
	--files-*) fargs+=("--${arg#--files-}") ;;
	--contention-*) cargs+=("--${arg#--contention-}") ;;
	--iterations=* | --rounds=* | --warmup=* | [0-9]*)
		uargs+=("$arg")
		fargs+=("$arg")
		iargs+=("$arg")
		targs+=("$arg")
		;;
	*) uargs+=("$arg") ;;
	esac
done

pin=${PAYLOCK_BENCH_PIN:-same}
client=()
# Every CPU this shell may use, before anything is pinned: the contended file-lock runs use them all.
all_cpus=$(taskset -pc $$ 2>/dev/null | sed -n 's/.*: *//p') || all_cpus=
ncpu=$(nproc 2>/dev/null || echo 1)
if [ "$pin" != off ] && ! command -v taskset >/dev/null; then
	bench_log "taskset not found (util-linux): running unpinned"
	pin=off
fi
case $pin in
same)
	taskset -pc "$((ncpu - 1))" "$BENCH_REDIS_PID" >/dev/null
	client=(taskset -c "$((ncpu - 1))")
	pin_desc="redis-server and clients on CPU $((ncpu - 1))"
	redis_desc="redis-server on CPU $((ncpu - 1))"
	;;
split)
	if [ "$ncpu" -lt 2 ]; then
		bench_log "PAYLOCK_BENCH_PIN=split needs 2 CPUs"
		exit 2
	fi
	taskset -pc "$((ncpu - 1))" "$BENCH_REDIS_PID" >/dev/null
	client=(taskset -c "$((ncpu - 2))")
	pin_desc="redis-server on CPU $((ncpu - 1)), clients on CPU $((ncpu - 2))"
	redis_desc="redis-server on CPU $((ncpu - 1))"
	;;
off) pin_desc="not pinned" redis_desc="redis-server not pinned" ;;
*)
	bench_log "PAYLOCK_BENCH_PIN must be same, split or off"
	exit 2
	;;
esac
bench_log "CPU placement: $pin_desc"

# The parent and everything it starts (workers, redis-benchmark) inherit the client affinity.
if [ "$run_uncontended" = 1 ]; then
	PAYLOCK_BENCH_EXT_SOURCE=$ext PAYLOCK_BENCH_PLACEMENT="$pin: $pin_desc" \
		"${client[@]}" php -n "$here/uncontended.php" --port="$BENCH_REDIS_PORT" --ext="$BENCH_WORK/paylock.so" "${uargs[@]}"
fi
# File locks. Uncontended runs keep the client pinning; the contended runs (8 processes) get every CPU.
if [ "$run_files" = 1 ]; then
	PAYLOCK_BENCH_EXT_SOURCE=$ext PAYLOCK_BENCH_PLACEMENT="$pin: $pin_desc" PAYLOCK_BENCH_CONTENDED_CPUS=$all_cpus \
		"${client[@]}" php -n "$here/files.php" --port="$BENCH_REDIS_PORT" --ext="$BENCH_WORK/paylock.so" "${fargs[@]}"
fi
# Idempotency guard: replay and claim+complete latency vs the seeds' GET+SETEX and the round-trip limit.
if [ "$run_idem" = 1 ]; then
	"${client[@]}" php -n "$here/idempotency.php" --port="$BENCH_REDIS_PORT" --ext="$BENCH_WORK/paylock.so" "${iargs[@]}"
fi
# Contention: P processes on one name. The processes get every CPU (pinning them to one would measure the
# scheduler); redis-server keeps its pinning.
if [ "$run_contention" = 1 ]; then
	PAYLOCK_BENCH_EXT_SOURCE=$ext PAYLOCK_BENCH_PLACEMENT="$pin: $redis_desc" PAYLOCK_BENCH_CONTENDED_CPUS=$all_cpus \
		"${client[@]}" php -n "$here/contention.php" --port="$BENCH_REDIS_PORT" --ext="$BENCH_WORK/paylock.so" "${cargs[@]}"
fi
if [ "$run_tls" = 1 ]; then
	"${client[@]}" php -n "$here/tls.php" --port="$BENCH_REDIS_PORT" --tls-port="$tls_port" --ca="$tls_dir/ca.crt" \
		--ext="$BENCH_WORK/paylock.so" "${targs[@]}"
fi
rm -rf "$tls_dir"
