# shellcheck shell=bash disable=SC2034,SC2016
# (SC2034: PAYLOCK_REDIS_* are for the caller; SC2016: the PHP code is meant to be single-quoted.)
# Private redis-servers for PayLock's shell scripts; source this file (bash). The one shell copy of this
# logic: tests/run.sh (the harness servers), scripts/demo.sh, tests/e2e/run.sh and bench/lib.sh use it.
# The PHP twin, for servers a test starts itself, is tests/_support/redis_server.inc.
#
#   paylock_free_port                      prints a port the kernel just handed out on 127.0.0.1
#   paylock_redis_start DIR NAME [ARGS]    starts redis-server on a free 127.0.0.1 port, data in DIR,
#                                          log in DIR/NAME.log, extra redis-server ARGS; sets
#                                          PAYLOCK_REDIS_PORT and PAYLOCK_REDIS_PID; returns 1 (log on
#                                          stderr) when it did not start after a few ports
#   paylock_redis_stop PID                 SIGTERM and reap (safe on an empty or dead PID)
#   paylock_redis_start_pair DIR NAME [ARGS]
#                                          a primary and a replica of it, returning once the replication
#                                          link is up; sets PAYLOCK_REDIS_PRIMARY_PORT/_PID and
#                                          PAYLOCK_REDIS_REPLICA_PORT/_PID (the caller stops both)
#
# Call paylock_redis_start directly, not in $(...): the server must be a child of the calling shell, so
# that the caller can stop and reap it by PID (other people's redis-servers are never touched). Ready
# means answering PING (+PONG, or -NOAUTH with --requirepass), not LOADING. Defaults: no AOF, an RDB
# save point that never fires in a short run (the server counts as persistent for the durability
# checks); ARGS can override them.

PAYLOCK_REDIS_PORT=
PAYLOCK_REDIS_PID=

paylock_free_port() {
	php -n -r '$s = stream_socket_server("tcp://127.0.0.1:0", $e, $m) or exit(1);
		echo explode(":", stream_socket_get_name($s, false))[1], "\n";'
}

# 0 when the server on $1 answers PING with PONG (or NOAUTH: it requires a password but is ready).
paylock_redis_ready() {
	local reply
	{
		exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
		printf 'PING\r\n' >&3
		IFS= read -r -t 1 reply <&3 || reply=
		exec 3<&- 3>&-
	} 2>/dev/null
	case $reply in
	+PONG* | -NOAUTH*) return 0 ;;
	esac
	return 1
}

paylock_redis_stop() {
	[ -n "${1:-}" ] || return 0
	kill "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
}

paylock_redis_start() {
	local dir=$1 name=$2 port attempt
	shift 2
	PAYLOCK_REDIS_PORT=
	PAYLOCK_REDIS_PID=
	# The free port can be taken between the probe and redis' bind; then try another one.
	for attempt in 1 2 3; do
		port=$(paylock_free_port) || return 1
		redis-server --bind 127.0.0.1 --port "$port" --save '3600 1' --appendonly no --daemonize no \
			--dir "$dir" --logfile "$dir/$name.log" "$@" </dev/null >/dev/null 2>&1 &
		PAYLOCK_REDIS_PID=$!
		for _ in $(seq 1 200); do
			kill -0 "$PAYLOCK_REDIS_PID" 2>/dev/null || break # exited: port taken or bad config
			if paylock_redis_ready "$port"; then
				PAYLOCK_REDIS_PORT=$port
				return 0
			fi
			sleep 0.05
		done
		paylock_redis_stop "$PAYLOCK_REDIS_PID"
		PAYLOCK_REDIS_PID=
		echo "redis-server $name did not start on 127.0.0.1:$port (attempt $attempt):" >&2
		tail -n 5 "$dir/$name.log" >&2 2>/dev/null || true
	done
	return 1
}

# 0 when the replica on $1 reports its link to the primary up.
paylock_redis_link_up() {
	redis-cli -p "$1" info replication 2>/dev/null | grep -q '^master_link_status:up'
}

paylock_redis_start_pair() {
	local dir=$1 name=$2
	shift 2
	PAYLOCK_REDIS_PRIMARY_PORT= PAYLOCK_REDIS_PRIMARY_PID= PAYLOCK_REDIS_REPLICA_PORT= PAYLOCK_REDIS_REPLICA_PID=
	paylock_redis_start "$dir" "$name-primary" --dbfilename "$name-primary.rdb" "$@" || return 1
	PAYLOCK_REDIS_PRIMARY_PORT=$PAYLOCK_REDIS_PORT
	PAYLOCK_REDIS_PRIMARY_PID=$PAYLOCK_REDIS_PID
	paylock_redis_start "$dir" "$name-replica" --dbfilename "$name-replica.rdb" \
		--replicaof 127.0.0.1 "$PAYLOCK_REDIS_PRIMARY_PORT" "$@" || return 1
	PAYLOCK_REDIS_REPLICA_PORT=$PAYLOCK_REDIS_PORT
	PAYLOCK_REDIS_REPLICA_PID=$PAYLOCK_REDIS_PID
	for _ in $(seq 1 200); do
		paylock_redis_link_up "$PAYLOCK_REDIS_REPLICA_PORT" && return 0
		sleep 0.05
	done
	echo "redis-server $name-replica never reached its primary:" >&2
	tail -n 5 "$dir/$name-replica.log" >&2 2>/dev/null || true
	return 1
}
