#!/usr/bin/env bash
# The demonstration on a fresh Debian 12 machine: installs what is missing, builds the extension, starts
# a private Redis on a free loopback port (the FileStore when there is no Redis, or with --file), and
# runs the webhook storm of examples/demo/ twice: as payment plugins write it, and guarded by PayLock.
# Exit status 1 when the PayLock run shows any double capture, oversold unit or wrong order state.
#
#   scripts/demo.sh [--file]
#
# Environment: PAYLOCK_DEMO_SKIP_SETUP=1 skips install and build; PAYLOCK_DEMO_EXT=path/to/paylock.so
# uses another build; PAYLOCK_DEMO_STORE=file is --file; PAYLOCK_DEMO_BREAK=1 runs the PayLock column
# unprotected, to check that the exit status catches it.
set -euo pipefail
cd "$(dirname "$0")/.."

store=${PAYLOCK_DEMO_STORE:-redis}
file_reason="PAYLOCK_DEMO_STORE=file"
for arg in "$@"; do
	case $arg in
	--file) store="file" file_reason="--file" ;;
	*) echo "usage: scripts/demo.sh [--file]" >&2; exit 2 ;;
	esac
done

if [ "${PAYLOCK_DEMO_SKIP_SETUP:-}" != 1 ]; then
	scripts/setup.sh php-sqlite3
fi
ext=${PAYLOCK_DEMO_EXT:-$(pwd)/modules/paylock.so}
[ -f "$ext" ] || { echo "demo: $ext is missing (run scripts/setup.sh)" >&2; exit 2; }

# shellcheck source=tests/_support/redis-server.sh
. tests/_support/redis-server.sh

work=$(mktemp -d "${TMPDIR:-/tmp}/paylock-demo.XXXXXX")
redis_pid=
redis_port=
cleanup() {
	paylock_redis_stop "$redis_pid"
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Starts redis-server on a free port and sets redis_port and redis_pid (the shared helper tries a few
# ports: one can be taken between the probe and the bind).
start_redis() {
	paylock_redis_start "$work" redis 2>>"$work/redis.log" || return 1
	redis_pid=$PAYLOCK_REDIS_PID
	redis_port=$PAYLOCK_REDIS_PORT
}

# The PHP extensions the demo needs, loaded from the shared modules unless built into php already.
php_args=(-n -d "extension=$ext")
ext_dir=$(php -n -r 'echo ini_get("extension_dir");')
builtin=$(php -n -r 'echo implode(" ", get_loaded_extensions());')
for m in pcntl pdo pdo_sqlite; do
	if [[ " ${builtin,,} " != *" $m "* ]]; then
		[ -f "$ext_dir/$m.so" ] || { echo "demo: PHP extension $m is missing (apt-get install php-sqlite3)" >&2; exit 2; }
		php_args+=(-d "extension=$m")
	fi
done

# Redis: a private redis-server first (the demo then writes nothing into a Redis someone uses), else
# one already running on the default port; the FileStore when there is neither, or when asked for.
target="file"
note=$file_reason
if [ "$store" != file ]; then
	if ! command -v redis-server >/dev/null; then
		why="redis-server is not installed"
	elif start_redis; then
		why=
		target="redis://127.0.0.1:$redis_port"
		note="a private redis-server $(redis-server --version | sed -n 's/.* v=\([^ ]*\).*/\1/p'), pid $redis_pid"
	else
		why="redis-server did not start: $(tail -n 1 "$work/redis.log" 2>/dev/null || true)"
	fi
	if [ -n "$why" ]; then
		if (exec 3<>/dev/tcp/127.0.0.1/6379) 2>/dev/null; then
			target="redis://127.0.0.1:6379"
			note="$why; using the Redis already running here"
		else
			note="$why, and no Redis runs on 127.0.0.1:6379"
		fi
	fi
fi

# TMPDIR: the demo's databases and file locks go under $work too, so the trap removes them even when
# php is interrupted before its own cleanup runs.
TMPDIR="$work" php "${php_args[@]}" examples/demo/run.php "$target" "$note"
