#!/usr/bin/env bash
# PayLock test harness: starts its own redis-server instances on free 127.0.0.1 ports (one open, with
# a unix socket and a TLS port; one with requirepass and an ACL user; a primary with one replica),
# exports where they are, runs the .phpt suite with run-tests.php against the built extension, and stops
# the servers on exit.
#
#   tests/run.sh [--valgrind | --asan] [--tls] [--over=cluster|sentinel|cluster,sentinel] [run-tests.php args...] [tests or dirs]
#   --asan expects modules/paylock.so built with -fsanitize=address,undefined (scripts/asan.sh does it).
#   --tls runs the tests over rediss:// (PAYLOCK_TEST_REDIS is the TLS port of the same server, verified
#   against the test CA as the default store, SSL_CERT_FILE); raw inspection keeps the plain port.
#   --over=MODES runs the lock, MultiLock, fairness and idempotency suites (or the tests named) once per
#   mode with the default store on the Cluster (redis+cluster://) or the Sentinel setup (tests/_support/over.sh).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

valgrind=0
asan=0
if [ "${1:-}" = "--valgrind" ]; then
	valgrind=1
	shift
elif [ "${1:-}" = "--asan" ]; then
	asan=1
	shift
fi
tls=0
if [ "${1:-}" = "--tls" ]; then
	tls=1
	shift
fi
over=
case ${1:-} in
--over=*)
	over=${1#--over=}
	shift
	for m in ${over//,/ } ""; do
		case $m in
		cluster | sentinel) ;;
		*) [ -z "$m" ] && [ -n "$over" ] || { echo "tests/run.sh: --over takes cluster, sentinel or cluster,sentinel" >&2; exit 2; } ;;
		esac
	done
	[ "$tls" = 0 ] || { echo "tests/run.sh: --over runs over plain redis+cluster:// and redis+sentinel:// only (not with --tls)" >&2; exit 2; }
	;;
esac

ext="$root/modules/paylock.so"
[ -f "$ext" ] || { echo "tests/run.sh: $ext is missing; build first (scripts/setup.sh)" >&2; exit 2; }
runtests=$(ls /usr/lib/php/*/build/run-tests.php 2>/dev/null | head -n1)
[ -n "$runtests" ] || { echo "tests/run.sh: run-tests.php not found (apt-get install php-dev)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/paylock-tests.XXXXXX")
chmod 755 "$work"
pids=()
cleanup() {
	# Servers that tests restarted (tests/cluster SIGKILL a node and start it again) are listed here.
	[ -f "$work/extra.pids" ] && pids+=($(cat "$work/extra.pids"))
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	# The topology servers are not our children (started in subshells): wait for them to be gone
	# before removing their dir (a Sentinel rewrites its config file until it exits).
	for p in "${pids[@]}"; do
		for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20; do
			kill -0 "$p" 2>/dev/null || break
			sleep 0.05
		done
	done
	rm -rf "$work" 2>/dev/null || { sleep 0.2; rm -rf "$work"; }
}
trap cleanup EXIT

# shellcheck source=tests/_support/redis-server.sh
. "$root/tests/_support/redis-server.sh"
start_redis() { # name redis-server-args...
	paylock_redis_start "$work" "$@" || { echo "tests/run.sh: redis-server $1 did not start" >&2; exit 2; }
	pids+=("$PAYLOCK_REDIS_PID")
}

# shellcheck source=tests/_support/tls.sh
. "$root/tests/_support/tls.sh"
paylock_tls_certs "$work/tls" || { echo "tests/run.sh: openssl could not make the test certificates" >&2; exit 2; }
tls_port=$(paylock_free_port)
mapfile -t tls_args < <(paylock_tls_server_args "$tls_port" "$work/tls" optional)
start_redis main --unixsocket "$work/redis.sock" --unixsocketperm 777 "${tls_args[@]}"
port=$PAYLOCK_REDIS_PORT
start_redis auth --requirepass s3cret --user shop on '>shop-pass' '~*' '&*' '+@all'
auth_port=$PAYLOCK_REDIS_PORT
paylock_redis_start_pair "$work" pair || { echo "tests/run.sh: the primary+replica pair did not start" >&2; exit 2; }
pids+=("$PAYLOCK_REDIS_PRIMARY_PID" "$PAYLOCK_REDIS_REPLICA_PID")

# The Cluster (3 masters + 3 replicas) and Sentinel (primary + replica + 3 Sentinels) topologies, started
# once, in parallel, only when tests that use them are selected. Each writes its env file when ready.
# shellcheck source=tests/_support/topologies.sh
. "$root/tests/_support/topologies.sh"
wants() { # dir args...: whether the selected tests include tests/<dir>, or --over runs on that topology
	local d=$1 a
	shift
	if [ -n "$over" ]; then
		case ",$over," in *,"$d",*) return 0 ;; esac
		return 1
	fi
	[ $# -eq 0 ] && return 0
	for a in "$@"; do
		case $a in
		tests | tests/ | "$root/tests" | "$root/tests/" | tests/"$d"* | "$root/tests/$d"*) return 0 ;;
		esac
	done
	return 1
}
topo_jobs=()
if wants cluster "$@"; then
	(
		# The shared cluster serves TLS and plain ports (tests/cluster/tls.phpt). No test changes its topology
		# (those that fail over, kill or reshard start a private one): a node of a TLS cluster restarted by a
		# test reports the other nodes' plain ports as 0 to plain clients (Redis 7.0).
		paylock_cluster_start "$work" "$work/tls" && printf 'export PAYLOCK_TEST_REDIS_CLUSTER=%q PAYLOCK_TEST_REDIS_CLUSTER_TLS=%q\n' \
			"$PAYLOCK_CLUSTER_SEEDS" "$PAYLOCK_CLUSTER_TLS_SEEDS" >"$work/cluster.env"
		echo "${PAYLOCK_TOPO_PIDS[*]}" >"$work/cluster.pids"
	) &
	topo_jobs+=($!)
fi
if wants sentinel "$@"; then
	(
		paylock_sentinel_start "$work" && printf 'export PAYLOCK_TEST_REDIS_SENTINEL=%q PAYLOCK_TEST_SENTINEL_PRIMARY_PORT=%q PAYLOCK_TEST_SENTINEL_REPLICA_PORT=%q\n' \
			"$PAYLOCK_SENTINEL_ADDRS" "$PAYLOCK_SENTINEL_PRIMARY_PORT" "$PAYLOCK_SENTINEL_REPLICA_PORT" >"$work/sentinel.env"
		echo "${PAYLOCK_TOPO_PIDS[*]}" >"$work/sentinel.pids"
	) &
	topo_jobs+=($!)
fi
for j in "${topo_jobs[@]}"; do wait "$j" || true; done
for t in cluster sentinel; do
	if [ -f "$work/$t.pids" ]; then
		read -r -a tp <"$work/$t.pids"
		pids+=("${tp[@]}")
	fi
	if [ -f "$work/$t.env" ]; then
		# shellcheck disable=SC1090
		. "$work/$t.env"
		echo "PayLock tests: $t topology up"
	elif [ ${#topo_jobs[@]} -gt 0 ] && wants "$t" "$@"; then
		echo "tests/run.sh: the $t topology did not start (its tests skip)" >&2
	fi
done

export PAYLOCK_TEST_HARNESS=1
export PAYLOCK_TEST_REDIS="redis://127.0.0.1:$port"
export PAYLOCK_TEST_REDIS_PORT=$port
export PAYLOCK_TEST_REDIS_SOCK="$work/redis.sock"
export PAYLOCK_TEST_REDIS_AUTH_PORT=$auth_port
export PAYLOCK_TEST_TMP="$work"
export PAYLOCK_TEST_REDIS_TLS="rediss://127.0.0.1:$tls_port"
export PAYLOCK_TEST_TLS_DIR="$work/tls"
export PAYLOCK_TEST_REDIS_PRIMARY="redis://127.0.0.1:$PAYLOCK_REDIS_PRIMARY_PORT"
export PAYLOCK_TEST_REDIS_REPLICA="redis://127.0.0.1:$PAYLOCK_REDIS_REPLICA_PORT"
echo "PayLock tests: redis on 127.0.0.1:$port (TLS on $tls_port, and $work/redis.sock), auth redis on 127.0.0.1:$auth_port,"\
	"primary 127.0.0.1:$PAYLOCK_REDIS_PRIMARY_PORT with replica 127.0.0.1:$PAYLOCK_REDIS_REPLICA_PORT"

# run-tests.php gives up on a test that prints nothing for 60 s; the phases of
# idempotency/file_retention_sweep (100k records, then the traffic that sweeps them) print nothing until
# they end, and take minutes under -j2 on a loaded CI machine. PAYLOCK_TEST_TIMEOUT changes it.
args=(-q --show-diff -n -p "$(command -v php)" -d "extension=$ext" -g FAIL,XFAIL,BORK,WARN,LEAK,SKIP
	--set-timeout "${PAYLOCK_TEST_TIMEOUT:-300}")
if [ "$tls" = 1 ]; then
	export PAYLOCK_TEST_REDIS="$PAYLOCK_TEST_REDIS_TLS"
	# OpenSSL's default CA store, for every php the tests start (children too): rediss:// verifies with
	# no tls option, as with a CA from the system store.
	export SSL_CERT_FILE="$work/tls/ca.crt"
	echo "PayLock tests: over TLS, PAYLOCK_TEST_REDIS=$PAYLOCK_TEST_REDIS"
fi
if [ "$valgrind" = 1 ]; then
	export USE_ZEND_ALLOC=0 ZEND_DONT_UNLOAD_MODULES=1
	# Private redis-servers that tests start themselves are not what is checked (and too slow under memcheck).
	export VALGRIND_OPTS="${VALGRIND_OPTS:-} --trace-children-skip=*redis-server"
	args+=(-m)
fi
if [ $# -eq 0 ]; then
	set -- -j2 tests
fi
export TEST_PHP_EXECUTABLE=$(command -v php)
if [ "$asan" = 1 ]; then
	# Distro PHP is not instrumented: a wrapper preloads the sanitizer runtimes into the tested php only
	# (not run-tests.php itself, not the servers). Leaks are valgrind's job; ASAN/UBSAN report memory
	# errors and undefined behaviour, and abort on them.
	cc -shared -fPIC -O1 -o "$work/nodeepbind.so" tests/_support/nodeepbind.c -ldl
	cat >"$work/php-asan" <<WRAP
#!/bin/sh
export USE_ZEND_ALLOC=\${USE_ZEND_ALLOC:-0}
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:halt_on_error=1:verify_asan_link_order=0
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export LD_PRELOAD="$work/nodeepbind.so $(cc -print-file-name=libasan.so) $(cc -print-file-name=libubsan.so)"
exec $(command -v php) "\$@"
WRAP
	chmod +x "$work/php-asan"
	export TEST_PHP_EXECUTABLE="$work/php-asan"
	args[4]="$work/php-asan"
fi
run_pass() { # label run-tests args...: one run-tests.php pass, its summary line; 1 when it failed
	local label=$1 rc passed failed skipped leaked borked
	shift
	set +e
	php -n "$runtests" "${args[@]}" "$@" 2>&1 | tee "$work/run.log"
	rc=${PIPESTATUS[0]}
	set -e
	# The plain summary line CI reads, from run-tests' own counts.
	passed=$(sed -n 's/^Tests passed *: *\([0-9]*\).*/\1/p' "$work/run.log")
	failed=$(sed -n 's/^Tests failed *: *\([0-9]*\).*/\1/p' "$work/run.log")
	skipped=$(sed -n 's/^Tests skipped *: *\([0-9]*\).*/\1/p' "$work/run.log")
	leaked=$(sed -n 's/^Tests leaked *: *\([0-9]*\).*/\1/p' "$work/run.log")
	borked=$(sed -n 's/^Tests borked *: *\([0-9]*\).*/\1/p' "$work/run.log")
	failed=$((${failed:-0} + ${leaked:-0} + ${borked:-0}))
	echo "phpt$label: ${passed:-0} passed, ${failed} failed, ${skipped:-0} skipped"
	[ "$rc" -eq 0 ] && [ "$failed" -eq 0 ] && [ "${passed:-0}" -ne 0 ]
}
if [ -z "$over" ]; then
	run_pass "" "$@" || exit 1
	exit 0
fi
# --over: one pass per mode, on the topologies started above (tests/_support/over.sh).
# shellcheck source=tests/_support/over.sh
. "$root/tests/_support/over.sh"
whole=0 # the spread over the masters is checked on the whole suites, not on a few tests
if [ "$1" = -j2 ] && [ "${2:-}" = tests ] && [ $# -eq 2 ]; then
	set -- -j2 "${PAYLOCK_OVER_DIRS[@]}"
	whole=1
fi
status=0
for mode in ${over//,/ }; do
	paylock_over_env "$mode" || { echo "tests/run.sh: the $mode topology is not up: no pass over it" >&2; status=1; continue; }
	echo "PayLock tests: over $mode, PAYLOCK_TEST_REDIS=$PAYLOCK_TEST_REDIS"
	masters=()
	if [ "$mode" = cluster ]; then
		mapfile -t masters < <(paylock_over_masters)
		paylock_over_reset_stats "${masters[@]}"
	fi
	start=$SECONDS
	run_pass " over $mode" "$@" || status=1
	echo "PayLock tests: the pass over $mode took $((SECONDS - start)) s"
	if [ "$mode" = cluster ]; then
		[ "${#masters[@]}" -eq 3 ] || { echo "tests/run.sh: expected 3 cluster masters, found ${#masters[@]}" >&2; status=1; }
		if ! paylock_over_check_spread "${masters[@]}" && [ "$whole" = 1 ]; then
			echo "tests/run.sh: a cluster master ran no PayLock script: the suites' names did not reach every master" >&2
			status=1
		fi
	fi
done
exit "$status"
