#!/usr/bin/env bash
# Syntax check of the integration examples, for CI: `php -l` on every .php file under examples/, bridges/
# and stubs/, and `xmllint --noout` (well-formedness) on the Magento module's XML when xmllint
# (libxml2-utils) is installed. Reports every failure, then exits 1 if there was any.
set -euo pipefail
cd "$(dirname "$0")/.."

status=0
checked=0
while IFS= read -r -d '' f; do
	checked=$((checked + 1))
	if ! out=$(php -n -l "$f" 2>&1); then
		echo "$out" >&2
		status=1
	fi
done < <(find examples bridges stubs -name '*.php' -print0 | sort -z)
[ "$checked" -gt 0 ] || { echo "lint-examples: no .php files under examples/" >&2; exit 1; }
echo "lint-examples: php -l on $checked files"

xml=(examples/magento/etc/*.xml)
if command -v xmllint >/dev/null; then
	xmllint --noout "${xml[@]}" || status=1
	echo "lint-examples: xmllint on ${#xml[@]} files"
else
	echo "lint-examples: xmllint not installed (apt-get install libxml2-utils), Magento XML not checked"
fi
exit "$status"
