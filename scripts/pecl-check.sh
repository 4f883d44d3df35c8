#!/usr/bin/env bash
# CI check of the PECL package: package.xml is up to date and valid, `pecl package` builds
# paylock-X.Y.Z.tgz, `pecl install` of that tarball compiles and installs it into a throwaway root, and
# the installed paylock.so loads with no startup warning and shows its version, hiredis version, TLS
# support and INI settings in `php --ri paylock`.
#
# Nothing is installed into the system's extension dir, PEAR registry or php.ini. pecl has no working
# option for that with extensions (verified with PEAR 1.10.13): it copies the built .so to
# `php-config --extension-dir` whatever ext_dir says, --installroot only moves the other files (and
# then crashes looking the package up in the real registry), --packagingroot breaks the build.
# So pecl runs with a private config (every PEAR directory and temp dir below the throwaway root,
# php_ini empty) and a php-config shim first in PATH that names a prefix and extension dir below that
# root. The system's extension dir, PEAR dir and php.ini dirs are compared before and after, and are
# mounted read-only for pecl when a private mount namespace is available (root with unshare).
#
#   scripts/pecl-check.sh [--keep]    --keep leaves the work dir in place (it is kept on failure)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
export DEBIAN_FRONTEND=noninteractive
started=$(date +%s)

keep=0
[ "${1:-}" = "--keep" ] && keep=1

# shellcheck source-path=SCRIPTDIR
. "$(dirname "$0")/packages.sh"
ensure_packages php-cli php-dev php-pear libhiredis-dev libssl-dev pkg-config

work=$(mktemp -d "${TMPDIR:-/tmp}/paylock-pecl.XXXXXX")
finish() {
	local rc=$?
	if [ $rc -ne 0 ] || [ $keep = 1 ]; then
		echo "pecl-check: work dir kept: $work"
	else
		rm -rf "$work"
	fi
	return $rc
}
trap finish EXIT
fail() {
	echo "pecl-check: FAIL: $*" >&2
	exit 1
}

version=$(sed -n 's/^#define PHP_PAYLOCK_VERSION "\(.*\)"$/\1/p' ext/php_paylock.h)

echo "== package.xml up to date and valid"
scripts/package.sh --check

echo "== pecl package"
tgz=$(scripts/package.sh --out "$work/dist" | tail -n1)
if [ "$tgz" != "$work/dist/paylock-$version.tgz" ] || [ ! -f "$tgz" ]; then
	fail "no $work/dist/paylock-$version.tgz"
fi
echo "$(basename "$tgz"): $(du -k "$tgz" | cut -f1) KiB"

echo "== pecl install into $work/root"
inst="$work/root"
mkdir -p "$inst" "$work/bin"
# Private PEAR config: config-create puts every PEAR directory below $inst; then the temp, cache,
# download and man dirs, and php_ini set empty so pecl never edits a php.ini.
pear -c "$work/pearrc" config-create "$inst" "$work/pearrc" >/dev/null
for kv in "temp_dir=$inst/tmp" "cache_dir=$inst/cache" "download_dir=$inst/download" "man_dir=$inst/man"; do
	pear -c "$work/pearrc" config-set "${kv%%=*}" "${kv#*=}" user >/dev/null
done
pear -c "$work/pearrc" config-set php_ini "" user >/dev/null
ext_dir=$(pecl -c "$work/pearrc" config-get ext_dir)
case "$ext_dir" in "$inst"/*) ;; *) fail "private PEAR config not in effect (ext_dir=$ext_dir)" ;; esac
# The built .so goes to `php-config --prefix`/... as `make install` puts it: point both below $inst.
real_php_config=$(command -v php-config)
cat >"$work/bin/php-config" <<SHIM
#!/bin/sh
case "\$1" in
--prefix) echo "$inst" ;;
--extension-dir) echo "$ext_dir" ;;
*) exec "$real_php_config" "\$@" ;;
esac
SHIM
chmod +x "$work/bin/php-config"

# What must not change: the system extension dir, PEAR's own dir (registry) and ext_dir, php.ini dirs.
guard=()
for d in "$(php-config --extension-dir)" "$(pecl config-get php_dir)" "$(pecl config-get ext_dir)" \
	"$(php -r 'echo PHP_CONFIG_FILE_PATH;')" "$(php -r 'echo PHP_CONFIG_FILE_SCAN_DIR;')" /etc/php; do
	[ -n "$d" ] && [ -d "$d" ] && guard+=("$d")
done
mapfile -t guard < <(printf '%s\n' "${guard[@]}" | sort -u)
snapshot() { find "${guard[@]}" -printf '%p %s %m %T@\n' 2>/dev/null | LC_ALL=C sort; }
snapshot >"$work/system.before"

cat >"$work/ro.sh" <<'RO'
#!/bin/sh
# ro.sh DIR... -- CMD...: in a private mount namespace, make each DIR read-only, then run CMD.
while [ "$1" != "--" ]; do
	mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" || exit 97
	shift
done
shift
exec "$@"
RO
chmod +x "$work/ro.sh"
sandbox=()
if [ "$(id -u)" -eq 0 ] && unshare -m --propagation private "$work/ro.sh" "${guard[@]}" -- true 2>/dev/null; then
	sandbox=(unshare -m --propagation private "$work/ro.sh" "${guard[@]}" --)
	echo "read-only for pecl: ${guard[*]}"
else
	echo "no private mount namespace: relying on the before/after comparison of ${guard[*]}"
fi

t0=$(date +%s)
# -D answers the configureoption prompt; "autodetect" (the package.xml default) gives --with-hiredis.
if ! PATH="$work/bin:$PATH" MAKE="make -j$(nproc)" "${sandbox[@]}" \
	pecl -c "$work/pearrc" install -D 'with-hiredis="autodetect"' "$tgz" </dev/null >"$work/install.log" 2>&1; then
	tail -n 40 "$work/install.log"
	fail "pecl install failed (log: $work/install.log)"
fi
grep -q "^install ok: channel://pecl.php.net/paylock-$version\$" "$work/install.log" || {
	tail -n 40 "$work/install.log"
	fail "pecl install did not report success (log: $work/install.log)"
}
grep -q -- "--with-php-config=$work/bin/php-config --with-hiredis\$" "$work/install.log" ||
	fail "configure was not run as expected: $(grep 'running: .*configure' "$work/install.log")"
echo "compiled and installed in $(($(date +%s) - t0))s"

snapshot >"$work/system.after"
if ! diff -u "$work/system.before" "$work/system.after"; then
	fail "pecl install changed the system's extension dir, PEAR dir or php.ini dirs (see diff above)"
fi

so="$ext_dir/paylock.so"
[ -f "$so" ] || fail "$so is missing"
for f in "$(pecl -c "$work/pearrc" config-get test_dir)/paylock/tests/run.sh" \
	"$(pecl -c "$work/pearrc" config-get doc_dir)/paylock/README.md"; do
	[ -f "$f" ] || fail "$f was not installed"
done
pecl -c "$work/pearrc" list -c pecl | grep -q "^paylock *$version " || fail "paylock $version not in the private PEAR registry"
echo "installed: $so"

echo "== php -n -d extension=.../paylock.so --ri paylock"
ri=$(php -n -d extension="$so" --ri paylock 2>&1) || {
	echo "$ri"
	fail "php --ri paylock failed"
}
echo "$ri"
expect() {
	grep -Eq "$1" <<<"$ri" || fail "php --ri paylock does not show: $2"
}
expect "^Version => ${version//./\\.}\$" "Version => $version"
expect '^hiredis headers version => [0-9]+\.[0-9]+\.[0-9]+$' "the hiredis version"
expect '^TLS support \(rediss://\) => (yes|no)$' "TLS support"
# Every INI entry registered in ext/paylock.c, with its values.
inis=$(grep -o 'STD_PHP_INI_[A-Z]*("paylock\.[a-z_]*"' ext/paylock.c | sed 's/.*("\(.*\)"/\1/')
[ -n "$inis" ] || fail "no INI entries found in ext/paylock.c"
for ini in $inis; do
	expect "^${ini//./\\.} => .* => " "the INI setting $ini"
done

echo "== php -n -d extension=.../paylock.so -d display_startup_errors=1 -r ''"
out=$(php -n -d extension="$so" -d display_startup_errors=1 -d error_reporting=-1 -r '' 2>&1)
[ -z "$out" ] || fail "startup output (warnings?): $out"
loaded=$(php -n -d extension="$so" -r 'echo phpversion("paylock");' 2>&1)
[ "$loaded" = "$version" ] || fail "phpversion('paylock') is '$loaded', expected $version"
echo "no startup output; phpversion('paylock') = $loaded"

echo "pecl-check: OK (paylock-$version.tgz packaged, installed with pecl and loaded) in $(($(date +%s) - started))s"
