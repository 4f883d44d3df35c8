# shellcheck shell=bash disable=SC2034
# (SC2034: PAYLOCK_OVER_* are for the caller.)
# `tests/run.sh --over=cluster|sentinel|cluster,sentinel`: the lock, MultiLock, fairness and idempotency
# suites run again with the default store (PAYLOCK_TEST_REDIS) pointing at the harness's Redis Cluster
# (redis+cluster:// seeds) or Sentinel setup (redis+sentinel://.../mymaster). Source after topologies.sh.
#
#   PAYLOCK_OVER_DIRS                 the suites a pass runs when no tests are named
#   paylock_over_env MODE             exports PAYLOCK_TEST_OVER, PAYLOCK_TEST_REDIS and PAYLOCK_TEST_REDIS_PORT
#                                     (raw inspection: the Sentinel master; empty on a cluster, where
#                                     redis_raw() in common.inc finds the node serving the key); 1 when
#                                     the topology is not up
#   paylock_over_masters              the cluster's master ports (CLUSTER NODES of a seed)
#   paylock_over_reset_stats PORTS... CONFIG RESETSTAT on each
#   paylock_over_check_spread PORTS...
#                                     after a cluster pass: prints the scripts (EVAL/EVALSHA calls) each
#                                     master ran; 1 when one ran none (the names did not reach every master;
#                                     tests/run.sh fails on it when the pass ran the whole suites)

PAYLOCK_OVER_DIRS=(tests/lock tests/multilock tests/fairness tests/idempotency)

paylock_over_seed_port() {
	local hp
	for hp in ${PAYLOCK_TEST_REDIS_CLUSTER//,/ }; do
		paylock_redis_ready "${hp##*:}" && { echo "${hp##*:}"; return 0; }
	done
	return 1
}

paylock_over_env() {
	local mode=$1 hp port=
	case $mode in
	cluster)
		[ -n "${PAYLOCK_TEST_REDIS_CLUSTER:-}" ] || return 1
		export PAYLOCK_TEST_REDIS="redis+cluster://$PAYLOCK_TEST_REDIS_CLUSTER"
		;;
	sentinel)
		[ -n "${PAYLOCK_TEST_REDIS_SENTINEL:-}" ] || return 1
		export PAYLOCK_TEST_REDIS="redis+sentinel://$PAYLOCK_TEST_REDIS_SENTINEL/mymaster"
		for hp in ${PAYLOCK_TEST_REDIS_SENTINEL//,/ }; do
			port=$(paylock_cli "${hp##*:}" SENTINEL get-master-addr-by-name mymaster | tail -n1)
			[ -n "$port" ] && break
		done
		[ -n "$port" ] || return 1
		;;
	*) return 1 ;;
	esac
	export PAYLOCK_TEST_OVER=$mode PAYLOCK_TEST_REDIS_PORT=$port
}

paylock_over_masters() {
	local seed
	seed=$(paylock_over_seed_port) || return 1
	paylock_cli "$seed" CLUSTER NODES | awk '$3 ~ /master/ && $3 !~ /fail/ && NF > 8 { split($2, a, "[:@]"); print a[2] }' | sort -n
}

paylock_over_reset_stats() {
	local p
	for p in "$@"; do paylock_cli "$p" CONFIG RESETSTAT >/dev/null; done
}

paylock_over_check_spread() {
	local p n ok=0 line=
	for p in "$@"; do
		n=$(paylock_cli "$p" INFO commandstats | tr -d '\r' |
			sed -n 's/^cmdstat_\(evalsha\|eval\):calls=\([0-9]*\).*/\2/p' | awk '{ s += $1 } END { print s + 0 }')
		line="$line 127.0.0.1:$p=$n"
		[ "$n" -gt 0 ] || ok=1
	done
	echo "PayLock tests: scripts run per cluster master during the pass:$line"
	return "$ok"
}
