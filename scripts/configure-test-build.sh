#!/usr/bin/env bash
# Configures DIR (default build/) as the test build: clang, ASan+UBSan, the GoogleTest
# suites and the libFuzzer targets. scripts/test.sh and scripts/fuzz.sh share it.
#
#   scripts/configure-test-build.sh [DIR] [CMAKE_OPTION...]
#
# A DIR configured before with another compiler is reconfigured (CMake resets its cache
# then; the caches the tests keep in DIR, such as test-vmcores/, stay).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
[[ $# -gt 0 ]] && shift
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER="$(command -v clang)" -DCMAKE_CXX_COMPILER="$(command -v clang++)" \
  -DVMCAP_SANITIZE=ON -DVMCAP_FUZZ=ON -DVMCAP_TESTS=ON "$@" >/dev/null
