# shellcheck shell=bash
# ensure_packages NAME...: apt-get installs the Debian packages that are missing (through sudo when not
# root), and nothing when all are present. Sourced by scripts/setup.sh and scripts/pecl-check.sh.
ensure_packages() {
	local p missing=() sudo=""
	for p in "$@"; do
		dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
	done
	[ ${#missing[@]} -gt 0 ] || return 0
	[ "$(id -u)" -eq 0 ] || sudo="sudo"
	echo "installing ${missing[*]}"
	$sudo apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
