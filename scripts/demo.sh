#!/usr/bin/env bash
# The demonstration on a fresh Debian 12 machine: install, build, start a private Redis on a free
# loopback port, and race concurrent checkouts with and without PayLock.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
port=$(php -n -r '$s = stream_socket_server("tcp://127.0.0.1:0"); echo explode(":", stream_socket_get_name($s, false))[1];')
dir=$(mktemp -d)
redis-server --bind 127.0.0.1 --port "$port" --save '' --appendonly no --dir "$dir" --logfile "$dir/redis.log" &
redis_pid=$!
trap 'kill $redis_pid 2>/dev/null; wait 2>/dev/null; rm -rf "$dir"' EXIT
for _ in $(seq 1 100); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.05; done
php -n -d extension="$(pwd)/modules/paylock.so" -d extension=posix examples/demo.php "redis://127.0.0.1:$port"
