# shellcheck shell=bash disable=SC2034
# (SC2034: PAYLOCK_* are for the caller.)
# Multi-server topologies for PayLock's tests, started once per run by tests/run.sh; source this file
# (bash) after redis-server.sh. Every server is a child of the calling shell (stop them by PID).
#
#   paylock_cluster_start DIR [TLSDIR]
#                                3 masters + 3 replicas, cluster-node-timeout 2000; returns when
#                                cluster_state:ok on every node and every replica's link is up. Sets
#                                PAYLOCK_CLUSTER_SEEDS (h:p,h:p,...) and PAYLOCK_TOPO_PIDS (appended).
#                                With TLSDIR (tls.sh certificates) every node also has a TLS port and the
#                                bus and replication speak TLS; Redis announces TLS ports to TLS clients and
#                                plain ports to plain ones, so one cluster serves both. Sets
#                                PAYLOCK_CLUSTER_TLS_SEEDS (the TLS ports).
#   paylock_sentinel_start DIR   a primary + a replica + 3 Sentinels (master name "mymaster", quorum 2,
#                                down-after 1000 ms); returns when every Sentinel knows the replica.
#                                Sets PAYLOCK_SENTINEL_ADDRS (h:p,h:p,h:p), PAYLOCK_SENTINEL_PRIMARY_PORT,
#                                PAYLOCK_SENTINEL_REPLICA_PORT, PAYLOCK_TOPO_PIDS (appended).

PAYLOCK_TOPO_PIDS=()
PAYLOCK_CLUSTER_SEEDS=
PAYLOCK_SENTINEL_ADDRS=

# cli PORT ARGS...: redis-cli against 127.0.0.1:PORT, raw output.
paylock_cli() {
	local port=$1
	shift
	redis-cli -h 127.0.0.1 -p "$port" --no-auth-warning "$@" 2>/dev/null
}

# wait_for SECONDS CMD...: runs CMD every 0.1 s until it succeeds; 1 when time ran out.
paylock_wait_for() {
	local tries=$(($1 * 10))
	shift
	while [ "$tries" -gt 0 ]; do
		"$@" && return 0
		sleep 0.1
		tries=$((tries - 1))
	done
	return 1
}

paylock_cluster_ok() { # ports...
	local p
	for p in "$@"; do
		paylock_cli "$p" CLUSTER INFO | grep -q '^cluster_state:ok' || return 1
		if paylock_cli "$p" INFO replication | grep -q '^role:slave'; then
			paylock_cli "$p" INFO replication | grep -q '^master_link_status:up' || return 1
		fi
	done
	return 0
}

paylock_cluster_start() {
	local dir=$1/cluster tlsdir=${2:-} i ports=() hosts=() tls_hosts=() tls=()
	mkdir -p "$dir"
	for i in 1 2 3 4 5 6; do
		if [ -n "$tlsdir" ]; then
			mapfile -t tls < <(paylock_tls_server_args "$(paylock_free_port)" "$tlsdir" optional)
			tls+=(--tls-cluster yes --tls-replication yes)
		fi
		paylock_redis_start "$dir" "node$i" --cluster-enabled yes --cluster-config-file "$dir/nodes$i.conf" \
			--cluster-node-timeout 2000 "${tls[@]}" || return 1
		PAYLOCK_TOPO_PIDS+=("$PAYLOCK_REDIS_PID")
		ports+=("$PAYLOCK_REDIS_PORT")
		hosts+=("127.0.0.1:$PAYLOCK_REDIS_PORT")
		[ -z "$tlsdir" ] || tls_hosts+=("127.0.0.1:${tls[1]}")
	done
	redis-cli --cluster create "${hosts[@]}" --cluster-replicas 1 --cluster-yes >"$dir/create.log" 2>&1 ||
		{ cat "$dir/create.log" >&2; return 1; }
	paylock_wait_for 30 paylock_cluster_ok "${ports[@]}" || { echo "cluster did not become ok" >&2; return 1; }
	PAYLOCK_CLUSTER_SEEDS=$(IFS=,; echo "${hosts[*]}")
	PAYLOCK_CLUSTER_TLS_SEEDS=$(IFS=,; echo "${tls_hosts[*]}")
}

paylock_sentinel_knows_replica() { # sentinel ports...
	local p
	for p in "$@"; do
		[ "$(paylock_cli "$p" SENTINEL MASTER mymaster | grep -A1 '^num-slaves$' | tail -n1)" = 1 ] || return 1
		[ "$(paylock_cli "$p" SENTINEL MASTER mymaster | grep -A1 '^num-other-sentinels$' | tail -n1)" = 2 ] ||
			return 1
	done
}

paylock_sentinel_start() {
	local dir=$1/sentinel i port sports=() addrs=()
	mkdir -p "$dir"
	paylock_redis_start "$dir" primary || return 1
	PAYLOCK_TOPO_PIDS+=("$PAYLOCK_REDIS_PID")
	PAYLOCK_SENTINEL_PRIMARY_PORT=$PAYLOCK_REDIS_PORT
	paylock_redis_start "$dir" replica --replicaof 127.0.0.1 "$PAYLOCK_SENTINEL_PRIMARY_PORT" || return 1
	PAYLOCK_TOPO_PIDS+=("$PAYLOCK_REDIS_PID")
	PAYLOCK_SENTINEL_REPLICA_PORT=$PAYLOCK_REDIS_PORT
	paylock_wait_for 20 sh -c "redis-cli -p $PAYLOCK_SENTINEL_REPLICA_PORT INFO replication |
		grep -q '^master_link_status:up'" || { echo "sentinel replica did not sync" >&2; return 1; }
	for i in 1 2 3; do
		port=$(paylock_free_port) || return 1
		printf 'port %s\nbind 127.0.0.1\ndir %s\nlogfile %s\nsentinel monitor mymaster 127.0.0.1 %s 2\n%s\n%s\n' \
			"$port" "$dir" "$dir/sentinel$i.log" "$PAYLOCK_SENTINEL_PRIMARY_PORT" \
			'sentinel down-after-milliseconds mymaster 1000' 'sentinel failover-timeout mymaster 5000' \
			>"$dir/sentinel$i.conf"
		redis-server "$dir/sentinel$i.conf" --sentinel </dev/null >/dev/null 2>&1 &
		PAYLOCK_TOPO_PIDS+=("$!")
		paylock_wait_for 10 paylock_redis_ready "$port" || { echo "sentinel $i did not start" >&2; return 1; }
		sports+=("$port")
		addrs+=("127.0.0.1:$port")
	done
	paylock_wait_for 30 paylock_sentinel_knows_replica "${sports[@]}" ||
		{ echo "sentinels did not discover each other" >&2; return 1; }
	PAYLOCK_SENTINEL_ADDRS=$(IFS=,; echo "${addrs[*]}")
}
