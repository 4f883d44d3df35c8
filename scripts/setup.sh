#!/usr/bin/env bash
# Installs what PayLock needs on Debian 12 (only what is missing) and builds the extension into
# modules/paylock.so. Idempotent; used by the README commands, the benchmarks and .ci/run.
#   scripts/setup.sh [extra apt packages...]
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source-path=SCRIPTDIR
. scripts/packages.sh
# libssl-dev: OpenSSL for rediss:// (ext/redis_tls.c); openssl: the tests make their certificates with it.
# php-symfony-lock and php-illuminate-cache: the frameworks the bridges in bridges/ are tested against;
# php-phpstan-phpdoc-parser checks the stub's doc tags (tests/module/stub_phpdoc_parses.phpt).
ensure_packages php-cli php-dev libhiredis-dev libssl-dev openssl pkg-config redis-server redis-tools php-parser \
	php-symfony-lock php-illuminate-cache php-mbstring php-phpstan-phpdoc-parser "$@"
# The Debian package starts a redis-server on 6379; PayLock's tests and demo start their own.

if [ ! -f configure ] || [ config.m4 -nt configure ]; then
	phpize >/dev/null
fi
if [ ! -f Makefile ] || [ configure -nt Makefile ]; then
	./configure --enable-paylock --enable-paylock-dev >/dev/null
fi
make -s -j"$(nproc)" >/dev/null
echo "setup: built $(pwd)/modules/paylock.so"
