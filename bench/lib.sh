# shellcheck shell=bash disable=SC2034,SC2016
# (SC2034: the BENCH_* variables are for the caller; SC2016: the PHP code is meant to be single-quoted.)
# PayLock benchmark helpers; source this file (bash).
#
#   bench_redis_start      starts a private redis-server on a free 127.0.0.1 port (no persistence) and
#                          sets BENCH_REDIS_PORT, BENCH_REDIS_PID and BENCH_WORK (its scratch dir)
#   bench_redis_stop       stops it and removes the scratch dir (safe to call twice)
#   bench_ensure_packages  apt-get installs the Debian packages the benchmark needs, only if missing
#
# bench_redis_start installs an EXIT/INT/TERM trap that calls bench_redis_stop, so a caller that
# forgets (or dies) never leaves a redis-server behind. Readiness is detected by reading the server's
# own log through a FIFO ("Ready to accept connections"), so nothing here polls or sleeps.

BENCH_REDIS_PORT=
BENCH_REDIS_PID=
BENCH_REDIS_DRAIN_PID=
BENCH_WORK=

bench_log() {
	printf 'bench: %s\n' "$*" >&2
}

# A port the kernel just handed out on 127.0.0.1 (closed again at once; redis binds it right after).
bench_free_port() {
	php -n -r '$s = stream_socket_server("tcp://127.0.0.1:0", $e, $m) or exit(1);
		echo explode(":", stream_socket_get_name($s, false))[1], "\n";'
}

bench_redis_stop() {
	if [ -n "$BENCH_REDIS_PID" ]; then
		kill "$BENCH_REDIS_PID" 2>/dev/null || true
		wait "$BENCH_REDIS_PID" 2>/dev/null || true
		BENCH_REDIS_PID=
	fi
	if [ -n "$BENCH_REDIS_DRAIN_PID" ]; then
		# The drain ends on its own when redis-server closes the FIFO; this only reaps it.
		wait "$BENCH_REDIS_DRAIN_PID" 2>/dev/null || true
		BENCH_REDIS_DRAIN_PID=
	fi
	if [ -n "$BENCH_WORK" ]; then
		rm -rf "$BENCH_WORK"
		BENCH_WORK=
	fi
}

# One attempt on one port; 0 when the server said it is ready, 1 when it exited or stayed silent.
bench_redis_try_start() {
	local port=$1 fifo="$BENCH_WORK/redis.fifo" line fd ready=0

	rm -f "$fifo"
	mkfifo "$fifo"
	# --logfile '' = log to stdout, which is the FIFO; --dir keeps any stray file in the scratch dir.
	# An RDB save point that never fires in a run: the server counts as persistent, so PayLock's
	# durability warning (idempotency records on a server without persistence) stays out of the output.
	redis-server --bind 127.0.0.1 --port "$port" --save '3600 1' --appendonly no --daemonize no \
		--dir "$BENCH_WORK" --logfile '' >"$fifo" 2>&1 &
	BENCH_REDIS_PID=$!
	exec {fd}<"$fifo"
	# Blocking reads (10 s timeout per line): EOF means redis-server exited (e.g. the port was taken).
	while IFS= read -r -t 10 -u "$fd" line; do
		printf '%s\n' "$line" >>"$BENCH_WORK/redis.log"
		case $line in
		*"Ready to accept connections"*)
			ready=1
			break
			;;
		esac
	done
	if [ "$ready" = 1 ]; then
		# Keep reading the log so the server never blocks on a full pipe.
		cat <&"$fd" >>"$BENCH_WORK/redis.log" &
		BENCH_REDIS_DRAIN_PID=$!
		exec {fd}<&-
		BENCH_REDIS_PORT=$port
		return 0
	fi
	exec {fd}<&-
	kill "$BENCH_REDIS_PID" 2>/dev/null || true
	wait "$BENCH_REDIS_PID" 2>/dev/null || true
	BENCH_REDIS_PID=
	return 1
}

bench_redis_start() {
	local attempt port

	command -v redis-server >/dev/null || {
		bench_log "redis-server not found (apt-get install redis-server)"
		return 2
	}
	BENCH_WORK=$(mktemp -d "${TMPDIR:-/tmp}/paylock-bench.XXXXXX")
	trap bench_redis_stop EXIT
	trap 'bench_redis_stop; exit 130' INT
	trap 'bench_redis_stop; exit 143' TERM
	# The free port can be taken between the probe and redis' bind; then try another one.
	for attempt in 1 2 3; do
		port=$(bench_free_port) || continue
		if bench_redis_try_start "$port"; then
			bench_log "private redis-server $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') on 127.0.0.1:$port (pid $BENCH_REDIS_PID)"
			return 0
		fi
		bench_log "redis-server did not start on 127.0.0.1:$port (attempt $attempt):"
		tail -n 5 "$BENCH_WORK/redis.log" >&2 || true
	done
	return 2
}

bench_ensure_packages() {
	local pkgs=(php-redis php-symfony-lock php-nrk-predis php-malkusch-lock redis-server redis-tools)
	local missing=() p sudo=()

	for p in "${pkgs[@]}"; do
		dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || {
			bench_log "missing packages: ${missing[*]} (not root and no sudo; install them first)"
			return 2
		}
		sudo=(sudo)
	fi
	bench_log "installing missing packages: ${missing[*]}"
	# policy-rc.d-less containers: the redis-server postinst may not start a service; that is fine,
	# the benchmark runs its own private server anyway.
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
}
