#!/bin/sh
# Regenerates stubs/*_arginfo.h offline with php-src's gen_stub.php and Debian's php-parser.
# Usage: scripts/gen-arginfo.sh [--check]   (--check: fail when the committed header differs)
set -eu
cd "$(dirname "$0")/.."
gen=$(php-config --extension-dir >/dev/null 2>&1 && ls /usr/lib/php/*/build/gen_stub.php 2>/dev/null | head -n1)
[ -n "$gen" ] || { echo "gen_stub.php not found (apt-get install php-dev)" >&2; exit 1; }
[ -d /usr/share/php/PhpParser ] || { echo "PHP-Parser not found (apt-get install php-parser)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$gen" "$work/gen_stub.php"
mkdir -p "$work/PHP-Parser-4.15.1"
ln -s /usr/share/php "$work/PHP-Parser-4.15.1/lib"
if [ "${1:-}" = "--check" ]; then
	cp -r stubs "$work/stubs"
	php "$work/gen_stub.php" -f "$work/stubs" >/dev/null
	for h in stubs/*_arginfo.h; do
		diff -u "$h" "$work/$h" || { echo "arginfo drift: run scripts/gen-arginfo.sh and commit $h" >&2; exit 1; }
	done
	echo "arginfo: up to date"
else
	php "$work/gen_stub.php" -f stubs
fi
