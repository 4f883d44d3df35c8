#!/usr/bin/env bash
# Builds PayLock with AddressSanitizer + UndefinedBehaviorSanitizer in a scratch copy of the tree and
# runs the whole suite against it (tests/run.sh --asan). The working tree's own build is left alone.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh >/dev/null
scratch=$(mktemp -d "${TMPDIR:-/tmp}/paylock-asan.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
git ls-files -z | xargs -0 cp --parents -t "$scratch"
cd "$scratch"
phpize >/dev/null
san="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined"
CFLAGS="-g -O1 $san" LDFLAGS="$san" ./configure --enable-paylock --enable-paylock-dev >/dev/null
make -s -j"$(nproc)" >/dev/null
echo "asan: built $scratch/modules/paylock.so"
tests/run.sh --asan "$@"
