#!/usr/bin/env bash
# Runs every test on a fresh Debian 12 machine: installs what is needed, builds the
# development binary and the static one, makes the real test vmcores (cached in build/),
# and runs CTest. Pass CTest options after the script, e.g. `scripts/test.sh -L unit`.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${VMCAP_BUILD_DIR:-$root/build}
jobs=$(nproc)

scripts/install-deps.sh
# The shipped binary: static, with libcurl built from Debian's source (cached in build/).
static_bin=$(scripts/build-static.sh --build-dir "$build/static" --jobs "$jobs")
cmake -S . -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DVMCAP_STATIC_BINARY="$static_bin" >/dev/null
cmake --build "$build" -j "$jobs"
ctest --test-dir "$build" --output-on-failure -j "$jobs" "$@"
