#!/usr/bin/env bash
# End-to-end test of PayLock in a real stack: a shop (tests/e2e/app: checkout with product locks, payment
# webhook with an idempotency guard, FallbackStore = Redis + local file locks) on nginx + PHP-FPM with
# MariaDB and Redis, all private instances started here on free 127.0.0.1 ports (own configs, data and
# sockets in a temp dir; no distro service is used), stopped on exit whatever happens.
#
# Each phase seeds fresh products, storms the checkout with more buyers than units, then storms the
# webhook with every order's payment event delivered many times at once (ab, >= 1000 deliveries, >= 100
# in flight), and checks the database: every order captured once, stock exact and never negative,
# totals exact, one step execution per event. Phase "up" runs with Redis, phase "down" after killing it.
#
# Last, the self-check: the same storms against the shop with its guards off must fail the checks.
#
#   tests/e2e/run.sh                         the test (phases up and down, then the self-check)
#   tests/e2e/run.sh --self-check-unguarded  the self-check alone
#
# PAYLOCK_EXT: the extension to load (default: modules/paylock.so). Missing Debian packages are installed.
set -euo pipefail

root=$(cd "$(dirname "$0")/../.." && pwd)
e2e="$root/tests/e2e"
ext=${PAYLOCK_EXT:-$root/modules/paylock.so}
export PATH="$PATH:/usr/sbin:/sbin"

packages=(php8.2-cli php8.2-fpm php8.2-mysql nginx mariadb-server apache2-utils redis-server redis-tools)

# Load. 20 products x 10 units; per product 20 one-item carts and 12 two-item carts (products i, i+1):
# 640 checkouts for 200 units. Every order's event is delivered DUPLICATES times or more, so that the
# webhook storm has at least MIN_DELIVERIES requests (100 to 200 orders, hence events). Each product's
# buyers and each event's deliveries are sent by AB_COPIES ab runs at once (see run_ab_jobs).
PRODUCTS=20
STOCK=10
SINGLE_BUYERS=20    # multiples of AB_COPIES
CART_BUYERS=12
DUPLICATES=8
AB_COPIES=4
MIN_DELIVERIES=1000
CONCURRENCY=200     # requests in flight: parallel jobs x job_in_flight
MIN_IN_FLIGHT=100   # what nginx must have seen at once during each storm
FPM_CHILDREN=32     # 2 CPUs, but most requests wait (locks, duplicates, MariaDB), not compute
AB_TIMEOUT=120      # seconds for one ab run, so that nothing can hang CI

log() { echo "e2e: $*"; }
die() {
	echo "e2e: FAIL: $*" >&2
	exit 1
}
now() { echo "$EPOCHREALTIME"; }
since() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }
ceil_div() { echo $((($1 + $2 - 1) / $2)); }

install_packages() {
	local missing=() p start sudo=""
	for p in "${packages[@]}"; do
		dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
	done
	if [ ${#missing[@]} -eq 0 ]; then
		log "packages: all present"
		return
	fi
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	start=$(now)
	log "packages: installing ${missing[*]}"
	timeout 300 $sudo apt-get update -qq
	if ! DEBIAN_FRONTEND=noninteractive timeout 900 $sudo apt-get install -y -qq --no-install-recommends \
		-o DPkg::Lock::Timeout=300 "${missing[@]}" >"$work/apt.log" 2>&1; then
		cat "$work/apt.log" >&2
		die "apt-get install failed"
	fi
	log "packages: installed in $(since "$start")s"
}

# ---- private servers -------------------------------------------------------------------------------

declare -A pids=()
work=""

free_port() {
	# shellcheck disable=SC2016 # PHP code
	php -n -r '$s = stream_socket_server("tcp://127.0.0.1:0"); echo explode(":", stream_socket_get_name($s, false))[1];'
}

# Polls "$@" every 0.1 s until it succeeds; after $2 seconds shows log $3 and fails.
wait_until() {
	local what=$1 seconds=$2 logfile=$3
	shift 3
	local tries=$((seconds * 10))
	while [ "$tries" -gt 0 ]; do
		"$@" >/dev/null 2>&1 && return 0
		tries=$((tries - 1))
		sleep 0.1
	done
	tail -n 30 "$logfile" >&2 || true
	die "$what did not become ready in ${seconds}s"
}

# TERM, then KILL if the server is still there after 10 s.
stop_server() {
	local name=$1 pid=${pids[$1]:-}
	[ -n "$pid" ] || return 0
	unset "pids[$name]"
	kill "$pid" 2>/dev/null || return 0
	for _ in $(seq 1 100); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$?
	set +e
	for name in sampler nginx fpm mariadb redis; do
		stop_server "$name"
	done
	if [ "$rc" -ne 0 ] && [ -n "$work" ]; then
		for f in php-error.log fpm.log nginx-error.log mariadb.err redis.log; do
			[ -s "$work/$f" ] && { echo "---- $f (last 20 lines)"; tail -n 20 "$work/$f"; } >&2
		done
	fi
	[ -n "$work" ] && rm -rf "$work"
	exit "$rc"
}

# shellcheck source=tests/_support/redis-server.sh
. "$root/tests/_support/redis-server.sh"

start_redis() {
	paylock_redis_start "$work" redis || die "redis-server did not start"
	pids[redis]=$PAYLOCK_REDIS_PID
	redis_port=$PAYLOCK_REDIS_PORT
}

start_mariadb() {
	local user
	user=$(id -un)
	db_port=$(free_port)
	timeout 120 mariadb-install-db --no-defaults --datadir="$work/mysql" --user="$user" \
		--auth-root-authentication-method=socket --skip-test-db >"$work/mariadb-install.log" 2>&1 ||
		{ cat "$work/mariadb-install.log" >&2; die "mariadb-install-db failed"; }
	# Runs once at startup: the shop's database and its user, who connects over TCP like an app server.
	cat >"$work/init.sql" <<-SQL
		CREATE DATABASE shop;
		CREATE USER 'shop'@'127.0.0.1' IDENTIFIED BY 'shop-pass';
		GRANT ALL ON shop.* TO 'shop'@'127.0.0.1';
	SQL
	mariadbd --no-defaults --datadir="$work/mysql" --user="$user" --skip-networking=0 \
		--bind-address=127.0.0.1 --port="$db_port" --socket="$work/mariadb.sock" --pid-file="$work/mariadb.pid" \
		--log-error="$work/mariadb.err" --tmpdir="$work" --skip-name-resolve --init-file="$work/init.sql" \
		--max-connections=200 --open-files-limit=4096 --table-open-cache=400 --innodb-buffer-pool-size=128M --innodb-flush-log-at-trx-commit=2 &
	pids[mariadb]=$!
	export SHOP_DB_DSN="mysql:host=127.0.0.1;port=$db_port;dbname=shop" SHOP_DB_USER=shop SHOP_DB_PASSWORD=shop-pass
	shopctl wait-db 30
	shopctl schema
}

# $1: 1 runs the shop without its guards (self-check only).
start_fpm() {
	local unguarded=$1 as_root=() run_as=""
	if [ "$(id -u)" -eq 0 ]; then
		# FPM refuses root workers without -R. Root workers can use the private (0700) work dir: its
		# socket and the FileStore lock directory they share.
		as_root=(-R)
		run_as=$'user = root\ngroup = root'
	fi
	cat >"$work/fpm.conf" <<-CONF
		[global]
		pid = $work/fpm.pid
		error_log = $work/fpm.log
		daemonize = no

		[shop]
		$run_as
		listen = $work/fpm.sock
		; Room for the whole storm while every child is busy.
		listen.backlog = 4096
		pm = static
		pm.max_children = $FPM_CHILDREN
		request_terminate_timeout = 60s
		clear_env = yes
		env[SHOP_DB_DSN] = "$SHOP_DB_DSN"
		env[SHOP_DB_USER] = "$SHOP_DB_USER"
		env[SHOP_DB_PASSWORD] = "$SHOP_DB_PASSWORD"
		env[SHOP_REDIS_DSN] = "redis://127.0.0.1:$redis_port"
		env[SHOP_LOCK_DIR] = "$work/locks"
		env[SHOP_UNGUARDED] = "$unguarded"
	CONF
	php-fpm8.2 -n -F "${as_root[@]}" -y "$work/fpm.conf" "${php_ext[@]}" -d "extension=$ext" \
		-d zend_extension=opcache -d opcache.enable=1 -d error_reporting=E_ALL -d display_errors=0 \
		-d log_errors=1 -d "error_log=$work/php-error.log" &
	pids[fpm]=$!
	wait_until php-fpm 10 "$work/fpm.log" test -S "$work/fpm.sock"
}

# The shop without its guards (only the self-check does this).
restart_fpm_unguarded() {
	stop_server fpm
	rm -f "$work/fpm.sock"
	start_fpm 1
	wait_until "php-fpm (unguarded)" 10 "$work/fpm.log" health
}

start_nginx() {
	local run_as=""
	# nginx's workers would drop to www-data, which cannot reach the FPM socket in the 0700 work dir.
	[ "$(id -u)" -ne 0 ] || run_as="user root;"
	web_port=$(free_port)
	mkdir -p "$work/nginx"
	cat >"$work/nginx.conf" <<-CONF
		daemon off;
		$run_as
		worker_processes 2;
		pid $work/nginx.pid;
		error_log $work/nginx-error.log warn;
		events { worker_connections 2048; }
		http {
			access_log off;
			client_body_temp_path $work/nginx/body;
			fastcgi_temp_path $work/nginx/fastcgi;
			proxy_temp_path $work/nginx/proxy;
			uwsgi_temp_path $work/nginx/uwsgi;
			scgi_temp_path $work/nginx/scgi;
			server {
				listen 127.0.0.1:$web_port backlog=4096;
				root "$e2e/app";
				location ~ ^/(checkout|webhook|health)\.php\$ {
					fastcgi_pass unix:$work/fpm.sock;
					fastcgi_param SCRIPT_FILENAME \$document_root\$fastcgi_script_name;
					fastcgi_param SCRIPT_NAME \$fastcgi_script_name;
					fastcgi_param REQUEST_METHOD \$request_method;
					fastcgi_param REQUEST_URI \$request_uri;
					fastcgi_param QUERY_STRING \$query_string;
					fastcgi_param CONTENT_TYPE \$content_type;
					fastcgi_param CONTENT_LENGTH \$content_length;
					fastcgi_param SERVER_PROTOCOL \$server_protocol;
					fastcgi_param REMOTE_ADDR \$remote_addr;
					fastcgi_read_timeout 60s;
				}
				location = /nginx_status { stub_status; }
				location / { return 404; }
			}
		}
	CONF
	nginx -e "$work/nginx-error.log" -p "$work/nginx/" -c "$work/nginx.conf" &
	pids[nginx]=$!
	wait_until nginx 10 "$work/nginx-error.log" health
}

# The whole chain answers; prints the answer and its X-PayLock-Degraded header.
health() {
	# shellcheck disable=SC2016 # PHP code
	php -n -r '$r = @file_get_contents($argv[1], false, stream_context_create(["http" => ["timeout" => 10]]));
		if ($r === false || !str_contains($http_response_header[0], " 200 ")) exit(1);
		echo trim($r), " ", implode(preg_grep("/^X-PayLock-Degraded:/i", $http_response_header));' \
		"http://127.0.0.1:$web_port/health.php"
}

# ---- load ------------------------------------------------------------------------------------------

# The harness's database tool, bounded in time.
shopctl() {
	timeout 120 php -n "${php_ext[@]}" -d display_errors=stderr -d error_reporting=E_ALL "$e2e/shopctl.php" "$@"
}

# Runs the ab jobs of file $2, $1 jobs at a time, each ab's report in $3/N.txt. A job line is "copies
# requests concurrency body content-type path [ab flags]": that many ab runs started at once. Copies,
# because ab sends its first request alone and the rest only once it is answered: the first requests of
# parallel runs are what makes deliveries race the very first one. The subshell makes `wait` see the
# ab runs only, not the servers.
run_ab_jobs() {
	local parallel=$1 jobs=$2 out=$3
	mkdir -p "$out"
	(
		running=0 i=0
		while read -r copies n c body type path flags; do
			if [ "$running" -ge "$parallel" ]; then
				wait -n || true
				running=$((running - 1))
			fi
			(
				for k in $(seq 1 "$copies"); do
					# shellcheck disable=SC2086 # flags: zero or more ab options
					timeout "$AB_TIMEOUT" ab -r -q -s 60 $flags -n "$n" -c "$c" -p "$body" -T "$type" \
						"http://127.0.0.1:$web_port$path" >"$out/$i.$k.txt" 2>&1 &
				done
				wait
			) &
			running=$((running + 1)) i=$((i + 1))
		done <"$jobs"
		wait
	)
}

# Sums a field of the ab reports in $1: complete, failed, length (failed on a different body length),
# non2xx.
ab_sum() {
	awk -v field="$2" '
		/^Complete requests:/ { complete += $3 }
		/^Failed requests:/ { failed += $3 }
		/Length: [0-9]+/ { match($0, /Length: [0-9]+/); length_failed += substr($0, RSTART + 8, RLENGTH - 8) }
		/^Non-2xx responses:/ { non2xx += $3 }
		END {
			v["complete"] = complete; v["failed"] = failed; v["length"] = length_failed
			v["non2xx"] = non2xx
			print v[field] + 0
		}' "$1"/*.txt
}

# Samples nginx's active connections (minus this probe's own) every 20 ms until file $1 exists or nginx
# is gone; prints the most seen at once.
max_in_flight() {
	local stop=$1 max=0 n line
	while [ ! -e "$stop" ] && exec 3<>"/dev/tcp/127.0.0.1/$web_port"; do
		printf 'GET /nginx_status HTTP/1.0\r\nHost: e2e\r\n\r\n' >&3
		while IFS= read -r -t 5 line <&3; do
			case $line in
			"Active connections: "*)
				n=${line#Active connections: }
				n=$((${n%%[!0-9]*} - 1))
				[ "$n" -le "$max" ] || max=$n
				;;
			esac
		done
		exec 3<&-
		sleep 0.02
	done 2>/dev/null
	echo "$max"
}

# Runs a storm (run_ab_jobs arguments) while sampling nginx; sets storm_seconds and storm_in_flight.
storm() {
	local out=$3 start
	rm -f "$out.stop"
	max_in_flight "$out.stop" >"$out.in-flight" &
	pids[sampler]=$!
	start=$(now)
	run_ab_jobs "$@"
	storm_seconds=$(since "$start")
	touch "$out.stop"
	wait "${pids[sampler]}"
	unset "pids[sampler]"
	storm_in_flight=$(cat "$out.in-flight")
}

# ---- one phase -------------------------------------------------------------------------------------

problems=()
problem() {
	echo "  VIOLATION $1"
	problems+=("$1")
}

# One job line: $1 requests for body file $2 to path $3, by AB_COPIES ab runs at once; $4: ab flags.
ab_job() {
	local n=$(($1 / AB_COPIES))
	echo "$AB_COPIES $n $n $2 $3 ${4:-}"
}

# How many requests a job of $1 requests keeps in flight: each of its ab runs sends its first request
# alone, then the rest at once.
job_in_flight() {
	local rest=$(($1 / AB_COPIES - 1))
	echo $((AB_COPIES * (rest > 1 ? rest : 1)))
}

checkout_storm() {
	local phase=$1 dir=$2 ids i next per_job jobs="$2/checkout.jobs" form=application/x-www-form-urlencoded
	mapfile -t ids < <(shopctl seed "$phase" "$PRODUCTS" "$STOCK")
	[ ${#ids[@]} -eq "$PRODUCTS" ] || die "seeding the products failed"
	: >"$jobs"
	for i in "${!ids[@]}"; do
		next=${ids[$(((i + 1) % ${#ids[@]}))]}
		echo "items=${ids[$i]}" >"$dir/single-$i.txt"
		echo "items=${ids[$i]},$next" >"$dir/cart-$i.txt"
		# -l: a 201 order and a 409 sold out are both expected, of different lengths.
		ab_job "$SINGLE_BUYERS" "$dir/single-$i.txt" "$form /checkout.php" -l >>"$jobs"
		ab_job "$CART_BUYERS" "$dir/cart-$i.txt" "$form /checkout.php" -l >>"$jobs"
	done
	per_job=$((($(job_in_flight "$SINGLE_BUYERS") + $(job_in_flight "$CART_BUYERS")) / 2))
	storm "$(ceil_div "$CONCURRENCY" "$per_job")" "$jobs" "$dir/ab-checkout"
	checkout_requests=$(ab_sum "$dir/ab-checkout" complete)
	checkout_ok=$((checkout_requests - $(ab_sum "$dir/ab-checkout" non2xx)))
	local expected=$((${#ids[@]} * (SINGLE_BUYERS + CART_BUYERS)))
	echo "  checkout storm: $checkout_requests of $expected requests in ${storm_seconds}s," \
		"$checkout_ok answered 2xx, up to $storm_in_flight in flight at once"
	[ "$checkout_requests" -eq "$expected" ] || problem "ab: $checkout_requests of $expected checkouts completed"
	[ "$(ab_sum "$dir/ab-checkout" failed)" -eq 0 ] || problem "ab: checkouts failed (connect, receive or exceptions)"
	[ "$storm_in_flight" -ge "$MIN_IN_FLIGHT" ] || problem "checkout storm: only $storm_in_flight requests in flight at once"
}

webhook_storm() {
	local phase=$1 dir=$2 events file duplicates jobs="$2/webhook.jobs"
	mkdir -p "$dir/events"
	mapfile -t events < <(shopctl events "$phase" "$dir/events")
	[ ${#events[@]} -gt 0 ] || {
		problem "no orders to pay"
		return
	}
	duplicates=$(ceil_div "$MIN_DELIVERIES" ${#events[@]})
	[ "$duplicates" -ge "$DUPLICATES" ] || duplicates=$DUPLICATES
	duplicates=$(($(ceil_div "$duplicates" "$AB_COPIES") * AB_COPIES))
	: >"$jobs"
	for file in "${events[@]}"; do
		# No -l: every delivery of an event must get the same stored result, a different length fails.
		ab_job "$duplicates" "$file" "application/json /webhook.php" >>"$jobs"
	done
	storm "$(ceil_div "$CONCURRENCY" "$(job_in_flight "$duplicates")")" "$jobs" "$dir/ab-webhook"
	webhook_requests=$(ab_sum "$dir/ab-webhook" complete)
	local expected=$((${#events[@]} * duplicates))
	echo "  webhook storm: $webhook_requests of $expected deliveries (${#events[@]} events x $duplicates) in" \
		"${storm_seconds}s, $(ab_sum "$dir/ab-webhook" non2xx) non-2xx, $(ab_sum "$dir/ab-webhook" length)" \
		"replies differing in length from their event's first, up to $storm_in_flight in flight at once"
	[ "$webhook_requests" -eq "$expected" ] || problem "ab: $webhook_requests of $expected deliveries completed"
	[ "$webhook_requests" -ge "$MIN_DELIVERIES" ] || problem "webhook storm: fewer than $MIN_DELIVERIES deliveries"
	[ "$(ab_sum "$dir/ab-webhook" non2xx)" -eq 0 ] || problem "ab: deliveries answered non-2xx"
	[ "$(ab_sum "$dir/ab-webhook" failed)" -eq 0 ] || problem "ab: failed deliveries, or replies differing between duplicates"
	[ "$storm_in_flight" -ge "$MIN_IN_FLIGHT" ] || problem "webhook storm: only $storm_in_flight requests in flight at once"
}

# The PHP error log of a phase: nothing with Redis up; with Redis down only FallbackStore's warning that
# it carries on degraded.
check_logs() {
	local degraded=$1 other warning='FallbackStore continues on local file locks only (degraded)'
	other=$(grep -c -v -F "$warning" "$work/php-error.log" || true)
	[ "$other" -eq 0 ] || problem "$other unexpected line(s) in PHP's error log: $(grep -v -F "$warning" "$work/php-error.log" | head -n 3)"
	if [ "$degraded" = 1 ] && ! grep -q -F "$warning" "$work/php-error.log"; then
		problem "Redis down but no degraded warning in PHP's error log"
	elif [ "$degraded" = 0 ] && grep -q -F "$warning" "$work/php-error.log"; then
		problem "degraded warnings in PHP's error log with Redis up"
	fi
	other=$(grep -c -E '\[(error|crit|alert|emerg)\]' "$work/nginx-error.log" || true)
	[ "$other" -eq 0 ] || problem "$other error(s) in nginx's error log"
}

# $1 phase name, $2 1 when Redis is down (every lock and claim must be degraded). Returns 1 on violations.
run_phase() {
	local phase=$1 degraded=$2 dir="$work/$1" start answer
	start=$(now)
	problems=()
	mkdir -p "$dir"
	: >"$work/php-error.log"
	log "phase $phase: Redis $([ "$degraded" = 1 ] && echo "down (killed)" || echo "up on 127.0.0.1:$redis_port")"
	answer=$(health) || problem "health probe failed"
	echo "  health: $answer"
	[[ "$answer" == *"\"degraded\":$([ "$degraded" = 1 ] && echo true || echo false)"* ]] ||
		problem "health: a lock's isDegraded() is not what the phase expects"
	[[ "$answer" == *"X-PayLock-Degraded: $degraded" ]] ||
		problem "health: header X-PayLock-Degraded (stats()['degraded'] grew) is not $degraded"
	checkout_storm "$phase" "$dir"
	webhook_storm "$phase" "$dir"
	check_logs "$degraded"
	shopctl check "$phase" "$degraded" "$checkout_requests" "$checkout_ok" "${webhook_requests:-0}" ||
		problems+=("database checks")
	if [ ${#problems[@]} -eq 0 ]; then
		log "phase $phase: passed in $(since "$start")s"
	elif [ "$phase" = unguarded ]; then
		log "phase $phase: ${#problems[@]} problem(s), as there must be without guards, in $(since "$start")s"
	else
		log "phase $phase: FAILED (${#problems[@]} problem(s)) in $(since "$start")s"
	fi
	[ ${#problems[@]} -eq 0 ]
}

# The same storms against the shop with its guards off must break the checks, with double captures and
# oversold stock among them: proof that this test can fail. $1: 1 if Redis is down.
self_check() {
	local out="$work/self-check.txt"
	restart_fpm_unguarded
	if run_phase unguarded "$1" | tee "$out"; then
		die "self-check: the shop without guards passed every check"
	fi
	grep -q 'VIOLATION double-capture' "$out" || die "self-check: the double captures went unnoticed"
	grep -q 'VIOLATION oversold' "$out" || die "self-check: the oversold stock went unnoticed"
	log "self-check passed: without its guards the shop fails the checks (double captures, oversold stock)"
}

# ---- main ------------------------------------------------------------------------------------------

main() {
	local only_self_check=0 start servers
	case "${1:-}" in
	"") ;;
	--self-check-unguarded) only_self_check=1 ;;
	*) die "usage: tests/e2e/run.sh [--self-check-unguarded]" ;;
	esac
	start=$(now)
	work=$(mktemp -d "${TMPDIR:-/tmp}/paylock-e2e.XXXXXX")
	trap cleanup EXIT
	trap 'exit 130' INT TERM
	install_packages
	[ -f "$ext" ] || die "$ext is missing; build first (scripts/setup.sh) or set PAYLOCK_EXT"
	php_ext=(-d extension=pdo -d extension=mysqlnd -d extension=pdo_mysql)
	mkdir -p "$work/locks"
	servers=$(now)
	start_redis
	start_mariadb
	start_fpm 0
	start_nginx
	log "servers up in $(since "$servers")s: nginx 127.0.0.1:$web_port -> php-fpm ($FPM_CHILDREN children," \
		"$(basename "$ext")) -> MariaDB 127.0.0.1:$db_port, Redis 127.0.0.1:$redis_port"

	if [ "$only_self_check" = 1 ]; then
		self_check 0
	else
		run_phase up 0 || die "phase up"
		stop_server redis
		! redis-cli -h 127.0.0.1 -p "$redis_port" ping >/dev/null 2>&1 || die "Redis still answers"
		run_phase down 1 || die "phase down"
		self_check 1
	fi
	log "passed in $(since "$start")s"
}

main "$@"
