#!/usr/bin/env bash
# Runs every test on a fresh Debian 12 machine: installs what is needed, builds the static
# binary (the one that ships) and the test build, makes the real test vmcores (cached in
# build/), runs CTest, then every libFuzzer target briefly.
# The test build is one clang build with ASan+UBSan (a sanitizer report fails the test that
# ran into it) that also holds the libFuzzer targets: every test runs sanitized, and the
# tree is compiled twice (static and this), not three times.
# Pass CTest options after the script, e.g. `scripts/test.sh -L unit` (then no fuzzing).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${VMCAP_BUILD_DIR:-$root/build}
jobs=$(nproc)

scripts/install-deps.sh build cross
# What only the tests run (QEMU, makedumpfile, crash, dracut, nginx, sshd...) installs while
# the tree compiles: on a fresh machine that is minutes of downloading and unpacking.
mkdir -p "$build"
scripts/install-deps.sh qemu upload package browser > "$build/install-deps.log" 2>&1 &
test_deps=$!
trap 'wait "$test_deps" 2>/dev/null || true' EXIT  # never leave dpkg half way
# The shipped binary: static, with libcurl built from Debian's source (cached in build/).
static_bin=$(scripts/build-static.sh --build-dir "$build/static" --jobs "$jobs")
# The same for arm64 machines, cross-built (Debian's aarch64 toolchain and arm64 libraries):
# its tests run it under qemu-user and in arm64 guests.
arm64_bin=$(scripts/build-static.sh --arch arm64 --build-dir "$build/static-arm64" --jobs "$jobs")
scripts/configure-test-build.sh "$build" -DVMCAP_STATIC_BINARY="$static_bin" \
  -DVMCAP_STATIC_ARM64_BINARY="$arm64_bin"
cmake --build "$build" -j "$jobs"
if ! wait "$test_deps"; then
  cat "$build/install-deps.log" >&2
  echo "test.sh: installing the tests' packages failed (above)" >&2
  exit 1
fi
cat "$build/install-deps.log"
ctest --test-dir "$build" --output-on-failure -j "$jobs" "$@"

# Every libFuzzer target for a short while (seeds from the real test vmcores).
if [ $# -eq 0 ]; then
  VMCAP_BUILD_DIR="$build" scripts/fuzz.sh "${VMCAP_CI_FUZZ_SECONDS:-30}"
fi
