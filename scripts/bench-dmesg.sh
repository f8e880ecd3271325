#!/usr/bin/env bash
# Benchmark of issue 3 (not a test): `vmcap dmesg`, `vmcore-dmesg` (kexec-tools) and
# `makedumpfile --dump-dmesg` side by side on the same multi-GiB real kdump vmcore.
#
# Usage:
#   scripts/bench-dmesg.sh [--vmcap BIN] [--vmcore FILE] [--tag TAG] [--out DIR] [--cache DIR]
#                          [--runs N]
#
# Without --vmcore, the vmcore is TAG's real kdump (default 6.1-big: a 3584 MiB guest with
# 1.5 GiB of memhog memory and a 1 MiB ring of 8000+ records), made once and cached by
# scripts/make-test-vmcore.sh in DIR (default <repo>/build/test-vmcores; --cache
# is passed on: the downloaded kernels). BIN defaults to the shipped binary, <repo>/build/static/capture/cli/vmcap
# (scripts/build-static.sh; build/ itself is the ASan+UBSan test build).
#
# Each tool runs N times (default 30), the three alternating, on a warm page cache (caches are
# not dropped; the first round is reported on its own: it may be the only cold-ish one). Wall
# time is measured with date +%s%N around each run, peak RSS and CPU time with GNU time (the
# `time` package: /usr/bin/time). Prints per tool: first run, median and best of the others, peak
# RSS; the ratios to vmcore-dmesg; whether the outputs agree (vmcap's text must equal
# vmcore-dmesg's byte for byte; makedumpfile's has the same number of records, its escapes
# and indentation differ).
# Goals (issue 3): vmcap no slower than vmcore-dmesg (median), peak RSS under 8 MiB.
# Exit status: 0 outputs agree and goals met, 1 outputs differ or a tool failed, 3 a goal missed.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
vmcap=$root/build/static/capture/cli/vmcap
vmcore=
tag=6.1-big
out=$root/build/test-vmcores
cache=
runs=30

while [ $# -gt 0 ]; do
  case "$1" in
    --vmcap) vmcap=$2; shift 2 ;;
    --vmcore) vmcore=$2; shift 2 ;;
    --tag) tag=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 1 ;;
  esac
done

die() { echo "bench-dmesg: $*" >&2; exit 1; }
[ -x "$vmcap" ] || die "no vmcap binary at $vmcap (--vmcap)"
[ -x /usr/bin/time ] || die "/usr/bin/time missing: apt-get install time"
command -v vmcore-dmesg >/dev/null || die "vmcore-dmesg missing: apt-get install kexec-tools"
command -v makedumpfile >/dev/null || die "makedumpfile missing: apt-get install makedumpfile"
[ "$runs" -ge 2 ] || die "--runs must be at least 2"

if [ -z "$vmcore" ]; then
  # No --modes: the big scenario is kdump-only (and the cache stamp includes --modes).
  args=(--out "$out" --kernels "$tag" --jobs 1)
  [ -n "$cache" ] && args+=(--cache "$cache")
  "$root/scripts/make-test-vmcore.sh" "${args[@]}" || die "make-test-vmcore.sh failed"
  vmcore=$out/$tag/kdump.vmcore
fi
[ -f "$vmcore" ] || die "no vmcore $vmcore"

work=$(mktemp -d "${TMPDIR:-/tmp}/bench-dmesg.XXXXXX")
trap 'rm -rf "$work"' EXIT

# run NAME OUTFILE CMD...: one timed run; appends "wall_s rss_kib cpu_s" to $work/NAME.runs.
run() {
  local name=$1 outf=$2 t0 t1; shift 2
  t0=$(date +%s%N)
  /usr/bin/time -f '%M %U %S' -o "$work/$name.rss" "$@" > "$outf" 2> "$work/$name.err" ||
    { cat "$work/$name.err" >&2; die "$name failed: $*"; }
  t1=$(date +%s%N)
  awk -v a="$t0" -v b="$t1" '{ printf "%.4f %s %.2f\n", (b - a) / 1e9, $1, $2 + $3 }' \
    "$work/$name.rss" >> "$work/$name.runs"
}

echo "vmcore: $vmcore ($(du -h --apparent-size "$vmcore" | cut -f1) apparent," \
     "$(du -h "$vmcore" | cut -f1) on disk)"
echo "vmcap: $vmcap ($("$vmcap" --version 2>/dev/null | head -n 1 || echo '?'))"
echo "runs: $runs of each, alternating, warm page cache"
for _ in $(seq 1 "$runs"); do
  run vmcap "$work/vmcap.txt" "$vmcap" dmesg "$vmcore"
  run vmcore-dmesg "$work/vmcore-dmesg.txt" vmcore-dmesg "$vmcore"
  # makedumpfile writes to a file it must create: remove the last run's.
  rm -f "$work/makedumpfile.txt"
  run makedumpfile /dev/null makedumpfile --dump-dmesg "$vmcore" "$work/makedumpfile.txt"
done

# stats NAME: first, median and best wall time of runs 2..N, max RSS, total CPU s of all runs.
stats() {
  local f=$work/$1.runs first med best rss cpu
  first=$(awk 'NR == 1 { print $1 }' "$f")
  rss=$(awk '$2 > m { m = $2 } END { print m }' "$f")
  cpu=$(awk '{ c += $3 } END { printf "%.2f", c }' "$f")
  read -r med best < <(tail -n +2 "$f" | cut -d' ' -f1 | sort -g |
    awk '{ t[++n] = $1 } END { printf "%s %s\n", n % 2 ? t[(n + 1) / 2] : (t[n / 2] + t[n / 2 + 1]) / 2, t[1] }')
  echo "$first $med $best $rss $cpu"
}
read -r _ d_med _ _ _ < <(stats vmcore-dmesg)
printf '\n%-14s %10s %10s %10s %12s %10s %14s\n' tool "first s" "median s" "best s" "peak RSS" "CPU s" "median ratio"
for name in vmcap vmcore-dmesg makedumpfile; do
  read -r first med best rss cpu < <(stats "$name")
  printf '%-14s %10s %10s %10s %9s KiB %10s %13sx\n' "$name" "$first" "$med" "$best" "$rss" "$cpu" \
    "$(awk -v a="$med" -v b="$d_med" 'BEGIN { printf "%.2f", (b > 0) ? a / b : 0 }')"
done
echo "(CPU s: user + system of all $runs runs, GNU time's 10 ms resolution; ratio: the tool's"
echo " median wall time over vmcore-dmesg's)"

status=0
records=$(grep -c '^\[' "$work/vmcore-dmesg.txt" || true)
if cmp -s "$work/vmcap.txt" "$work/vmcore-dmesg.txt"; then
  echo "outputs: vmcap text == vmcore-dmesg text ($(wc -l < "$work/vmcap.txt") lines, $records records, $(wc -c < "$work/vmcap.txt") bytes)"
else
  echo "outputs: vmcap text DIFFERS from vmcore-dmesg's; first differences:"
  diff "$work/vmcore-dmesg.txt" "$work/vmcap.txt" | head -n 10
  status=1
fi
mdf_records=$(grep -c '^\[' "$work/makedumpfile.txt" || true)
if [ "$mdf_records" = "$records" ]; then
  echo "outputs: makedumpfile --dump-dmesg has the same $records records (escapes and indentation differ)"
else
  echo "outputs: makedumpfile --dump-dmesg has $mdf_records records, vmcore-dmesg $records"
  status=1
fi

read -r _ med _ rss _ < <(stats vmcap)
goal() { if [ "$2" = 1 ]; then echo "goal met: $1"; else echo "GOAL MISSED: $1"; [ "$status" != 0 ] || status=3; fi; }
goal "vmcap median ${med}s <= vmcore-dmesg median ${d_med}s" \
  "$(awk -v a="$med" -v b="$d_med" 'BEGIN { print (a <= b) ? 1 : 0 }')"
goal "vmcap peak RSS ${rss} KiB < 8192 KiB" "$([ "$rss" -lt 8192 ] && echo 1 || echo 0)"
exit "$status"
