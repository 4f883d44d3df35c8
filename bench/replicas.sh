#!/usr/bin/env bash
# Replica acknowledgement cost, side by side in one run: a private primary with one replica (loopback),
# and bench/replicas.php timing the same cycles with replicas => 0 and replicas => 1 (and 'auto'),
# interleaved round by round. Results also go to bench/results/replicas.json.
#
#   bash bench/replicas.sh [--iterations=N] [--rounds=N]
#
# Env: PAYLOCK_BENCH_EXT (path to paylock.so, default modules/paylock.so).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
# shellcheck source=tests/_support/redis-server.sh
. "$root/tests/_support/redis-server.sh"

ext=${PAYLOCK_BENCH_EXT:-$root/modules/paylock.so}
[ -f "$ext" ] || {
	echo "bench: $ext is missing: build first (scripts/setup.sh)" >&2
	exit 2
}
work=$(mktemp -d "${TMPDIR:-/tmp}/paylock-bench-replicas.XXXXXX")
primary_pid=
replica_pid=
cleanup() {
	paylock_redis_stop "$replica_pid"
	paylock_redis_stop "$primary_pid"
	rm -rf "$work"
}
trap cleanup EXIT INT TERM
cp "$ext" "$work/paylock.so" # a rebuild during the run cannot touch the copy
paylock_redis_start_pair "$work" bench || exit 2
primary_pid=$PAYLOCK_REDIS_PRIMARY_PID
replica_pid=$PAYLOCK_REDIS_REPLICA_PID
echo "bench: primary 127.0.0.1:$PAYLOCK_REDIS_PRIMARY_PORT, replica 127.0.0.1:$PAYLOCK_REDIS_REPLICA_PORT ($(redis-server --version | awk '{print $3}'))" >&2
mkdir -p "$here/results"
php -n -d "extension=$work/paylock.so" "$here/replicas.php" --port="$PAYLOCK_REDIS_PRIMARY_PORT" \
	--json="$here/results/replicas.json" "$@"
