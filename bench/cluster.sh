#!/usr/bin/env bash
# Redis Cluster routing overhead (bench/cluster.php) and contended utilisation (bench/cluster_contended.php):
# starts a 3-master + 3-replica cluster and a standalone redis-server on free ports, runs both, stops them.
#   bench/cluster.sh [iterations] [rounds]
#   PAYLOCK_BENCH_CONTENDED="procs cycles rounds" (default "8 40 5") sizes the contended runs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=tests/_support/redis-server.sh
. "$root/tests/_support/redis-server.sh"
# shellcheck source=tests/_support/topologies.sh
. "$root/tests/_support/topologies.sh"
work=$(mktemp -d "${TMPDIR:-/tmp}/paylock-bench-cluster.XXXXXX")
pids=()
cleanup() {
	for p in "${pids[@]}" "${PAYLOCK_TOPO_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT
paylock_redis_start "$work" standalone
pids+=("$PAYLOCK_REDIS_PID")
port=$PAYLOCK_REDIS_PORT
paylock_cluster_start "$work"
php -n -d extension="$root/modules/paylock.so" "$root/bench/cluster.php" "$PAYLOCK_CLUSTER_SEEDS" "$port" "$@"
# shellcheck disable=SC2086 # three numbers
php -n -d extension=posix.so -d extension="$root/modules/paylock.so" "$root/bench/cluster_contended.php" \
	"$PAYLOCK_CLUSTER_SEEDS" "$port" ${PAYLOCK_BENCH_CONTENDED:-8 40 5}
