#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: install, build, start real servers, run the .phpt
# suite, the same suite again over rediss:// (tests/run.sh --tls), then the end-to-end test (nginx +
# PHP-FPM + MariaDB + Redis, tests/e2e/run.sh). All always run; the exit status is the first failure's.
#   scripts/test.sh [tests/run.sh args...]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
phpt=0
tests/run.sh "$@" || phpt=$?
tls=0
tests/run.sh --tls "$@" || tls=$?
e2e=0
tests/e2e/run.sh || e2e=$?
[ "$phpt" -eq 0 ] || exit "$phpt"
[ "$tls" -eq 0 ] || exit "$tls"
exit "$e2e"
