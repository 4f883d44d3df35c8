#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: install, build, start real servers, run the .phpt
# suite, the same suite again over rediss:// (tests/run.sh --tls; without tests/cluster and tests/sentinel), the lock, MultiLock, fairness and
# idempotency suites over a Redis Cluster and a Sentinel setup (tests/run.sh --over=cluster,sentinel: with
# args, only when they name tests of those suites), then the end-to-end test (nginx + PHP-FPM + MariaDB +
# Redis, tests/e2e/run.sh). All always run; the exit status is the first failure's.
#   scripts/test.sh [tests/run.sh args...]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
phpt=0
tests/run.sh "$@" || phpt=$?
tls=0
# The TLS pass re-runs what goes through the default store. tests/cluster and tests/sentinel name their
# own DSNs (their TLS tests run in the first pass), so they would only run again unchanged, moving the
# shared topologies' masters a second time.
tls_args=("$@")
if [ $# -eq 0 ]; then
	for d in tests/*/; do
		case $d in tests/_support/ | tests/cluster/ | tests/sentinel/ | tests/e2e/) ;; *) tls_args+=("${d%/}") ;; esac
	done
fi
tests/run.sh --tls "${tls_args[@]}" || tls=$?
over=0
over_args=()
for a in "$@"; do
	case $a in tests/lock* | tests/multilock* | tests/fairness* | tests/idempotency*) over_args+=("$a") ;; esac
done
[ $# -gt 0 ] && [ ${#over_args[@]} -eq 0 ] || tests/run.sh --over=cluster,sentinel "${over_args[@]}" || over=$?
e2e=0
tests/e2e/run.sh || e2e=$?
[ "$phpt" -eq 0 ] || exit "$phpt"
[ "$tls" -eq 0 ] || exit "$tls"
[ "$over" -eq 0 ] || exit "$over"
exit "$e2e"
