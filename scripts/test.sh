#!/usr/bin/env bash
# Runs every test on a fresh Debian 12 machine: installs what is needed, builds the
# development binary and the static one, makes the real test vmcores (cached in build/),
# and runs CTest; then the unit tests again under ASan+UBSan and each fuzz target briefly.
# Pass CTest options after the script, e.g. `scripts/test.sh -L unit` (then no hardening step).
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

# Hardening (not when only some tests were asked for): one clang build with ASan+UBSan
# (build/fuzz, the one scripts/fuzz.sh uses) runs the unit tests, then every libFuzzer
# target for a short while (seeds from the real test vmcores).
if [ $# -eq 0 ]; then
  CC=clang CXX=clang++ cmake -S . -B "$build/fuzz" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DVMCAP_FUZZ=ON -DVMCAP_SANITIZE=ON -DVMCAP_TESTS=ON >/dev/null
  cmake --build "$build/fuzz" -j "$jobs"
  ctest --test-dir "$build/fuzz" --output-on-failure -j "$jobs" -L unit
  VMCAP_FUZZ_BUILD_DIR="$build/fuzz" VMCAP_FUZZ_TESTS=ON scripts/fuzz.sh "${VMCAP_CI_FUZZ_SECONDS:-30}"
fi
