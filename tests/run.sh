#!/usr/bin/env bash
# PayLock test harness: starts its own redis-server instances on free 127.0.0.1 ports (one open, one
# with requirepass and an ACL user, plus a unix socket), exports where they are, runs the .phpt suite
# with run-tests.php against the built extension, and stops the servers on exit.
#
#   tests/run.sh [--valgrind | --asan] [run-tests.php args...] [tests or dirs]
#   --asan expects modules/paylock.so built with -fsanitize=address,undefined (scripts/asan.sh does it).
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

ext="$root/modules/paylock.so"
[ -f "$ext" ] || { echo "tests/run.sh: $ext is missing; build first (scripts/setup.sh)" >&2; exit 2; }
runtests=$(ls /usr/lib/php/*/build/run-tests.php 2>/dev/null | head -n1)
[ -n "$runtests" ] || { echo "tests/run.sh: run-tests.php not found (apt-get install php-dev)" >&2; exit 2; }

work=$(mktemp -d "${TMPDIR:-/tmp}/paylock-tests.XXXXXX")
chmod 755 "$work"
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

free_port() {
	php -n -r '$s = stream_socket_server("tcp://127.0.0.1:0"); echo explode(":", stream_socket_get_name($s, false))[1];'
}

start_redis() { # name port extra-args...
	local name=$1 port=$2
	shift 2
	redis-server --bind 127.0.0.1 --port "$port" --save '3600 1' --appendonly no --daemonize no \
		--dir "$work" --logfile "$work/$name.log" "$@" &
	pids+=($!)
	for _ in $(seq 1 100); do
		if redis-cli -h 127.0.0.1 -p "$port" --no-auth-warning -a "${REDIS_WAIT_PASS:-}" ping 2>/dev/null | grep -q PONG; then
			return 0
		fi
		sleep 0.05
	done
	echo "tests/run.sh: redis-server $name on port $port did not start:" >&2
	cat "$work/$name.log" >&2
	exit 2
}

port=$(free_port)
start_redis main "$port" --unixsocket "$work/redis.sock" --unixsocketperm 777
auth_port=$(free_port)
REDIS_WAIT_PASS=s3cret start_redis auth "$auth_port" --requirepass s3cret \
	--user shop on '>shop-pass' '~*' '&*' '+@all'

export PAYLOCK_TEST_HARNESS=1
export PAYLOCK_TEST_REDIS="redis://127.0.0.1:$port"
export PAYLOCK_TEST_REDIS_PORT=$port
export PAYLOCK_TEST_REDIS_SOCK="$work/redis.sock"
export PAYLOCK_TEST_REDIS_AUTH_PORT=$auth_port
export PAYLOCK_TEST_TMP="$work"
echo "PayLock tests: redis on 127.0.0.1:$port (and $work/redis.sock), auth redis on 127.0.0.1:$auth_port"

args=(-q --show-diff -n -p "$(command -v php)" -d "extension=$ext" -d extension=posix -g FAIL,XFAIL,BORK,WARN,LEAK,SKIP)
if [ "$valgrind" = 1 ]; then
	export USE_ZEND_ALLOC=0 ZEND_DONT_UNLOAD_MODULES=1
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
failed=$(( ${failed:-0} + ${leaked:-0} + ${borked:-0} ))
echo "phpt: ${passed:-0} passed, ${failed} failed, ${skipped:-0} skipped"
if [ "$rc" -ne 0 ] || [ "$failed" -ne 0 ] || [ "${passed:-0}" -eq 0 ]; then
	exit 1
fi
