# shellcheck shell=bash disable=SC2034,SC2016
# (SC2034: the BENCH_* variables are for the caller; SC2016: the PHP code is meant to be single-quoted.)
# PayLock benchmark helpers; source this file (bash).
#
#   bench_redis_start      starts a private redis-server on a free 127.0.0.1 port (no AOF) and
#                          sets BENCH_REDIS_PORT, BENCH_REDIS_PID and BENCH_WORK (its scratch dir)
#   bench_redis_stop       stops it and removes the scratch dir (safe to call twice)
#   bench_ensure_packages  apt-get installs the Debian packages the benchmark needs, only if missing
#
# bench_redis_start installs an EXIT/INT/TERM trap that calls bench_redis_stop, so a caller that
# forgets (or dies) never leaves a redis-server behind. The server is started by the shared helper
# tests/_support/redis-server.sh (the harness, the demo and the end-to-end test use it too).

BENCH_REDIS_PORT=
BENCH_REDIS_PID=
BENCH_WORK=

bench_log() {
	printf 'bench: %s\n' "$*" >&2
}

# shellcheck source=tests/_support/redis-server.sh
. "$(dirname "${BASH_SOURCE[0]}")/../tests/_support/redis-server.sh"

bench_redis_stop() {
	paylock_redis_stop "$BENCH_REDIS_PID"
	BENCH_REDIS_PID=
	if [ -n "$BENCH_WORK" ]; then
		rm -rf "$BENCH_WORK"
		BENCH_WORK=
	fi
}

bench_redis_start() {
	command -v redis-server >/dev/null || {
		bench_log "redis-server not found (apt-get install redis-server)"
		return 2
	}
	BENCH_WORK=$(mktemp -d "${TMPDIR:-/tmp}/paylock-bench.XXXXXX")
	trap bench_redis_stop EXIT
	trap 'bench_redis_stop; exit 130' INT
	trap 'bench_redis_stop; exit 143' TERM
	# An RDB save point that never fires in a run (the helper's default): the server counts as
	# persistent, so PayLock's durability warning stays out of the output.
	paylock_redis_start "$BENCH_WORK" redis "$@" || return 2
	BENCH_REDIS_PID=$PAYLOCK_REDIS_PID
	BENCH_REDIS_PORT=$PAYLOCK_REDIS_PORT
	bench_log "private redis-server $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') on 127.0.0.1:$BENCH_REDIS_PORT (pid $BENCH_REDIS_PID)"
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
