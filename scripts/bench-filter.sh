#!/bin/sh
# Writer benchmark: a real vmcore written as kdump-compressed by vmcap (zstd 1/3/5, zlib 1;
# 1 and 2 threads) beside makedumpfile -c / -l -d 0, page cache warm; median seconds,
# MiB/s, output size, ratio and peak RSS of each run.
#   scripts/bench-filter.sh [VMCORE] [--repeat N] [--threads 1,2,4]
# VMCORE defaults to build/test-vmcores/6.1/kdump.vmcore (scripts/make-test-vmcore.sh).
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${VMCAP_BENCH_BUILD:-$root/build-bench}
vmcore=${1:-$root/build/test-vmcores/6.1/kdump.vmcore}
[ $# -gt 0 ] && shift
[ -f "$vmcore" ] || { echo "no vmcore at $vmcore (run scripts/make-test-vmcore.sh)" >&2; exit 2; }
cmake -S "$root" -B "$build" -G Ninja -DVMCAP_BENCHMARKS=ON -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target kdump_write_benchmark -j "${VMCAP_BUILD_JOBS:-2}" >/dev/null
cat "$vmcore" > /dev/null  # warm the page cache
exec "$build/benchmarks/kdump_write_benchmark" "$vmcore" "${TMPDIR:-/tmp}" "$@"
