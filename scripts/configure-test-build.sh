#!/usr/bin/env bash
# Configures DIR (default build/) as the test build: clang, ASan+UBSan, the GoogleTest
# suites and the libFuzzer targets. scripts/test.sh and scripts/fuzz.sh share it.
#
#   scripts/configure-test-build.sh [DIR] [CMAKE_OPTION...]
#
# A DIR configured before with another compiler (an older gcc build/) loses its CMake cache
# first; what the tests keep in DIR (test-vmcores/, the makedumpfile chroot) stays.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
[[ $# -gt 0 ]] && shift
cc=$(command -v clang) cxx=$(command -v clang++)
if [[ -f $build/CMakeCache.txt ]] &&
   ! grep -qx "CMAKE_CXX_COMPILER:[A-Z]*=$cxx" "$build/CMakeCache.txt"; then
  echo "configure-test-build: $build was configured with another compiler; starting its CMake cache afresh" >&2
  rm -rf "$build/CMakeCache.txt" "$build/CMakeFiles"
fi
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_C_COMPILER="$cc" -DCMAKE_CXX_COMPILER="$cxx" \
  -DVMCAP_SANITIZE=ON -DVMCAP_FUZZ=ON -DVMCAP_TESTS=ON "$@" >/dev/null
