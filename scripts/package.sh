#!/usr/bin/env bash
# PECL packaging for PayLock. The <contents> of package.xml is generated, never edited by hand: it is
# every file git knows about (tracked, plus untracked files that .gitignore does not exclude) that
# matches the rules in pick_role below.
#
#   scripts/package.sh --check     fail if package.xml's file list is stale, its release version is
#                                  not PHP_PAYLOCK_VERSION (ext/php_paylock.h) or `pecl package-validate`
#                                  reports an error or a warning; changes nothing (CI)
#   scripts/package.sh --update    rewrite package.xml's <contents> block in place
#   scripts/package.sh [--out DIR] --update, then `pecl package` in a staging copy; the tarball
#                                  paylock-X.Y.Z.tgz lands in DIR (default: a new temp dir) and its
#                                  path is printed last. Nothing is written in the repository except
#                                  package.xml.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

mode=build
out=""
while [ $# -gt 0 ]; do
	case "$1" in
	--check) mode=check ;;
	--update) mode=update ;;
	--out)
		out=${2:?--out needs a directory}
		shift
		;;
	--out=*) out=${1#--out=} ;;
	-h | --help)
		sed -n "2,13p" "$0"
		exit 0
		;;
	*)
		echo "package.sh: unknown argument $1" >&2
		exit 2
		;;
	esac
	shift
done

# What goes into the PECL package, and with which role. Everything else (bench/, scripts/, .ci/,
# composer.json, dotfiles, build output) stays out.
pick_role() {
	case "$1" in
	.* | */.*) ;; # dotfiles (.gitignore, .clang-format, .ci/) never ship
	config.m4) echo src ;;
	bin/paylock) echo script ;; # the operator's CLI (README "Operations"), installed into PEAR's bin_dir
	ext/lua/*.lua | ext/lua/lib/*.lua) echo src ;; # the sources of ext/lua_scripts.h (committed)
	ext/*/*) ;; # nothing else below ext/ is a source of the extension
	ext/*.c | ext/*.h) echo src ;;
	stubs/*/*) ;;
	stubs/*_arginfo.h) echo src ;;
	# The IDE stub is installed as documentation (src files are not installed), with its Composer package.
	stubs/*.stub.php | stubs/composer.json | stubs/README.md) echo doc ;;
	README.md | LICENSE | LICENSE.* | COPYING | NEWS | CHANGELOG.md | CONTRIBUTING.md) echo doc ;;
	docs/*.md) echo doc ;; # docs/INTERNALS.md: how state looks in Redis and in files
	examples/*) echo doc ;;
	bridges/*) echo doc ;; # the symfony/lock and Laravel packages (Composer), beside the tests that use them
	tests/e2e/*) ;;      # needs nginx, PHP-FPM and MariaDB: a repository check, not a package test
	tests/*) echo test ;; # every suite with its harness and support files (tests/run.sh, tests/_support/)
	esac
}

list_files() {
	{
		git ls-files -z
		git ls-files -z --others --exclude-standard
	} | tr '\0' '\n' | LC_ALL=C sort -u | while IFS= read -r f; do
		[ -f "$f" ] || continue # deleted in the working tree but still in the index
		role=$(pick_role "$f")
		[ -n "$role" ] && printf '%s\t%s\n' "$role" "$f"
	done
	return 0
}

xml_escape() {
	sed -e 's/&/\&amp;/g' -e 's/</\&lt;/g' -e 's/>/\&gt;/g' -e 's/"/\&quot;/g'
}

contents_block() {
	echo ' <contents>'
	echo '  <dir name="/">'
	list_files | while IFS=$'\t' read -r role f; do
		printf '   <file name="%s" role="%s"/>\n' "$(printf '%s' "$f" | xml_escape)" "$role"
	done
	echo '  </dir>'
	echo ' </contents>'
}

# package.xml with its <contents> block replaced by the generated one, on stdout.
regenerated() {
	local block
	block=$(mktemp)
	contents_block >"$block"
	awk -v block="$block" '
		/^[ \t]*<contents>/ { while ((getline l < block) > 0) print l; skip = 1; seen = 1; next }
		skip && /^[ \t]*<\/contents>/ { skip = 0; next }
		!skip { print }
		END { if (!seen || skip) exit 3 }
	' package.xml || {
		rm -f "$block"
		echo "package.sh: package.xml has no <contents>...</contents> block on lines of their own" >&2
		return 1
	}
	rm -f "$block"
}

ext_version=$(sed -n 's/^#define PHP_PAYLOCK_VERSION "\(.*\)"$/\1/p' ext/php_paylock.h)
xml_version=$(sed -n '/<version>/,/<\/version>/s/.*<release>\(.*\)<\/release>.*/\1/p' package.xml)
[ -n "$ext_version" ] || {
	echo "package.sh: PHP_PAYLOCK_VERSION not found in ext/php_paylock.h" >&2
	exit 1
}

check_version() {
	if [ "$xml_version" != "$ext_version" ]; then
		echo "package.sh: package.xml <release> is '$xml_version' but PHP_PAYLOCK_VERSION is '$ext_version'" >&2
		return 1
	fi
}

check_contents() {
	local fresh rc=0
	fresh=$(mktemp)
	regenerated >"$fresh"
	if ! diff -u --label package.xml --label 'package.xml (generated)' package.xml "$fresh"; then
		echo "package.sh: package.xml's <contents> is out of date: run scripts/package.sh --update" >&2
		rc=1
	fi
	rm -f "$fresh"
	return $rc
}

update_contents() {
	local fresh
	fresh=$(mktemp)
	regenerated >"$fresh"
	if cmp -s package.xml "$fresh"; then
		rm -f "$fresh"
		echo "package.sh: package.xml <contents> is up to date ($(list_files | wc -l) files)"
	else
		cat "$fresh" >package.xml # keeps the file's mode and inode
		rm -f "$fresh"
		echo "package.sh: package.xml <contents> regenerated ($(list_files | wc -l) files)"
	fi
}

case "$mode" in
check)
	rc=0
	check_version || rc=1
	check_contents || rc=1
	if command -v pecl >/dev/null; then
		# pecl package-validate exits 0 even when it reports errors: read its verdict.
		verdict=$(pecl package-validate "$root/package.xml" 2>&1) || true
		# The one warning allowed: the release <date> is not today (CI runs on later days than a release).
		dated=$(grep -c 'Release Date .* is not today' <<<"$verdict" || true)
		if ! grep -q "^Validation: 0 error(s), ${dated} warning(s)" <<<"$verdict"; then
			echo "$verdict" >&2
			echo "package.sh: pecl package-validate is not clean" >&2
			rc=1
		fi
	else
		echo "package.sh: pecl not found, package-validate skipped (apt-get install php-pear)" >&2
	fi
	[ $rc -eq 0 ] && echo "package.sh: package.xml is up to date ($(list_files | wc -l) files, release $xml_version)"
	exit $rc
	;;
update)
	update_contents
	check_version
	exit 0
	;;
esac

# build
update_contents
check_version
command -v pecl >/dev/null || {
	echo "package.sh: pecl not found (apt-get install php-pear)" >&2
	exit 1
}
[ -n "$out" ] || out=$(mktemp -d "${TMPDIR:-/tmp}/paylock-package.XXXXXX")
mkdir -p "$out"
out=$(cd "$out" && pwd)
stage=$(mktemp -d "${TMPDIR:-/tmp}/paylock-stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT
# Only the listed files (and package.xml) go to the staging dir, so build artefacts lying around in
# the working tree can never end up in the tarball.
list_files | cut -f2 | while IFS= read -r f; do
	mkdir -p "$stage/$(dirname "$f")"
	cp -p "$f" "$stage/$f"
done
cp -p package.xml "$stage/"
(cd "$stage" && pecl package package.xml) >"$stage/.pecl-package.log" 2>&1 || {
	cat "$stage/.pecl-package.log" >&2
	echo "package.sh: pecl package failed" >&2
	exit 1
}
# pecl package exits 0 on warnings: treat them as errors, a release tarball should be clean.
# A release <date> that is not today is expected when a later day's CI packages it.
if grep -i '^warning' "$stage/.pecl-package.log" | grep -vq 'Release Date .* is not today'; then
	cat "$stage/.pecl-package.log" >&2
	echo "package.sh: pecl package printed warnings" >&2
	exit 1
fi
tgz="paylock-$ext_version.tgz"
[ -f "$stage/$tgz" ] || {
	cat "$stage/.pecl-package.log" >&2
	echo "package.sh: pecl package did not produce $tgz" >&2
	exit 1
}
mv "$stage/$tgz" "$out/$tgz"
echo "package.sh: $(tar -tzf "$out/$tgz" | grep -vc '/$') entries in $tgz"
echo "$out/$tgz"
