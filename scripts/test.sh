#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: install, build, start real servers, run.
#   scripts/test.sh [tests/run.sh args...]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec tests/run.sh "$@"
