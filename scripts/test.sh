#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: install, build, start real servers, run the .phpt
# suite, then the end-to-end test (nginx + PHP-FPM + MariaDB + Redis, tests/e2e/run.sh). Both always run;
# the exit status is the suite's if it failed, else the end-to-end test's.
#   scripts/test.sh [tests/run.sh args...]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
phpt=0
tests/run.sh "$@" || phpt=$?
e2e=0
tests/e2e/run.sh || e2e=$?
[ "$phpt" -eq 0 ] || exit "$phpt"
exit "$e2e"
