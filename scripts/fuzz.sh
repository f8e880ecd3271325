#!/usr/bin/env bash
# Builds the libFuzzer targets (tests/fuzz: clang, libFuzzer + ASan + UBSan) in the test
# build (build/, scripts/configure-test-build.sh) and runs each for SECONDS (default 60),
# VMCAP_FUZZ_LANES at a time (default: one per CPU). Fails if any target finds a crash, a
# leak, a timeout (> 10 s for one input: VMCAP_FUZZ_TIMEOUT) or runs out of memory; the
# input is then in build/fuzz/artifacts/<target>/ (make it a test in tests/hardening).
# Prints the executions of every target.
#
#   scripts/fuzz.sh [SECONDS] [TARGET...]     e.g. scripts/fuzz.sh 30 ringbuffer kdump_compressed
#   VMCAP_FUZZ_RUNS=10000000 scripts/fuzz.sh 7200 vmcoreinfo   stops at N executions or SECONDS
#   VMCAP_FUZZ_FAST=1 ...                     UBSan without ASan, for long runs (below)
#
# Corpora: build/fuzz/corpus/<target> grows across runs; seeds are regenerated each run from
# the synthetic builders (fuzz_seeds) and, when real test vmcores exist (VMCAP_TEST_VMCORES
# or build/test-vmcores), from small slices of them (headers and notes, VMCOREINFO text,
# the first records of the QEMU flattened dump, also as flat-zstd, 128 struct pages for the
# page classifier).
# Needs clang and libclang-rt-14-dev.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
seconds=${1:-60}
[[ $# -gt 0 ]] && shift
test_build=${VMCAP_BUILD_DIR:-$root/build}
build=$test_build
work=$test_build/fuzz  # seeds, corpora, artifacts and logs
# VMCAP_FUZZ_FAST=1: a build of its own (build/fuzz-fast) with UBSan but no ASan, several
# times the executions per second, for the long runs; corpora and artifacts stay in
# build/fuzz, shared with the ASan runs.
fast=${VMCAP_FUZZ_FAST:-0}
[[ $fast = 1 ]] && build=$test_build/fuzz-fast
jobs=${VMCAP_FUZZ_JOBS:-2}
runs=${VMCAP_FUZZ_RUNS:--1}
# Seconds one input may take; raise it for long runs under nice on a busy machine.
per_input=${VMCAP_FUZZ_TIMEOUT:-10}
all_targets=(elf_dump vmcoreinfo ringbuffer printk_log char_ring kdump_compressed flattened formatters
  filter config manifest kallsyms dhcp iomem bzimage_header kernel_cmdline arm_record local_disk pstore pstore_collect
  arm64_translation kallsyms_text flat_zstd index_entry report)
targets=("$@")
[[ ${#targets[@]} -eq 0 ]] && targets=("${all_targets[@]}")

if [[ $fast = 1 ]]; then
  scripts/configure-test-build.sh "$build" -DVMCAP_SANITIZE=OFF -DVMCAP_UBSAN=ON -DVMCAP_TESTS=OFF
else
  scripts/configure-test-build.sh "$build"
fi
cmake --build "$build" -j "$jobs" --target fuzz_seeds "${targets[@]/#/fuzz_}"

seeds=$work/seeds
rm -rf "$seeds"
vmcores=${VMCAP_TEST_VMCORES:-$test_build/test-vmcores}
real=()
for v in "$vmcores"/*/kdump.vmcore; do
  [[ -f $v ]] && real+=("$(basename "$(dirname "$v")")=$v")
done
"$build/tests/fuzz/fuzz_seeds" "$seeds" "${real[@]}"
cp docs/vmcap.conf.example "$seeds/config/example"
# vmcap report: a --since line, then an index entry (index_entry's seeds).
mkdir -p "$seeds/report"
for f in "$seeds"/index_entry/*; do
  { echo 7d; cat "$f"; } > "$seeds/report/$(basename "$f")"
done
# DHCP: an OFFER and an ACK as QEMU's user networking sends them (payload only; the target
# also parses the input as a whole Ethernet frame).
python3 - "$seeds/dhcp" <<'PY'
import os, struct, sys
os.makedirs(sys.argv[1], exist_ok=True)
def reply(kind):
    bootp = struct.pack("!BBBBIHH4s4s4s4s16s64s128s", 2, 1, 6, 0, 0x1234abcd, 0, 0x8000,
                        bytes(4), bytes([10, 0, 2, 15]), bytes([10, 0, 2, 2]), bytes(4),
                        bytes([0x52, 0x54, 0, 0x12, 0x34, 0x56]) + bytes(10), bytes(64), bytes(128))
    opts = bytes([99, 130, 83, 99, 53, 1, kind, 54, 4, 10, 0, 2, 2, 1, 4, 255, 255, 255, 0,
                  3, 4, 10, 0, 2, 2, 6, 4, 10, 0, 2, 3, 51, 4, 0, 1, 81, 128, 255])
    return bootp + opts
for name, kind in (("offer", 2), ("ack", 5)):
    with open(os.path.join(sys.argv[1], name), "wb") as f:
        f.write(reply(kind))
PY

# fuzz_kallsyms_text: a first byte (the Image's BaseOfCode in pages), then /proc/kallsyms
# lines as Debian's arm64 6.1 has them (no _text) and as 6.12 has them.
mkdir -p "$seeds/kallsyms_text"
printf '\x10ffff800008010000 T _stext\nffff800009a40000 T __init_begin\nffff800008010000 t __do_softirq\n' \
  > "$seeds/kallsyms_text/no-text"
printf '\x10ffff800080000000 T _text\nffff800080010000 T _stext\nffff800081f20000 D __init_begin\n' \
  > "$seeds/kallsyms_text/with-text"

# fuzz_arm64_translation's table mode: an odd first byte, a configuration, four addresses
# and table memory (the harness mirrors it everywhere), one seed per configuration.
python3 - "$seeds/arm64_translation" <<'PY'
import os, struct, sys
os.makedirs(sys.argv[1], exist_ok=True)
for config in range(13):
    vas = struct.pack("<4Q", 0xffff800040001000, 0xfff0000000123000, 0xffffa00000000000, 0)
    tables = struct.pack("<Q", 0x1003) * 512 + struct.pack("<Q", 0x2000000401) * 512
    open(os.path.join(sys.argv[1], f"tables-{config}"), "wb").write(bytes([1, config]) + vas + tables)
PY

# Slices of real vmcores: a few KiB each, never whole dumps.
if [[ -d $vmcores ]]; then
  python3 - "$vmcores" "$seeds" <<'PY'
import os, shutil, struct, subprocess, sys
src, dst = sys.argv[1], sys.argv[2]
def put(target, name, data):
    os.makedirs(os.path.join(dst, target), exist_ok=True)
    open(os.path.join(dst, target, name), "wb").write(data)
def elf_head(path):
    """ELF header, program headers and the PT_NOTE data: everything before the memory."""
    with open(path, "rb") as f:
        h = f.read(64)
        if h[:4] != b"\x7fELF" or h[4] != 2:
            return None, None
        phoff, = struct.unpack_from("<Q", h, 32)
        phnum, = struct.unpack_from("<H", h, 56)
        f.seek(phoff)
        ph = f.read(56 * phnum)
        end, notes = phoff + 56 * phnum, []
        for i in range(phnum):
            t, _, off, _, _, filesz = struct.unpack_from("<IIQQQQ", ph, 56 * i)
            if t == 4:
                end = max(end, off + filesz)
                notes.append((off, filesz))
        if end > 1 << 20:
            return None, None
        f.seek(0)
        head = f.read(end)
    info = None
    for off, size in notes:
        p = off
        while p + 12 <= off + size:
            n, d, _ = struct.unpack_from("<III", head, p)
            name = head[p + 12:p + 12 + n].rstrip(b"\0")
            dp = p + 12 + (n + 3) // 4 * 4
            if name == b"VMCOREINFO":
                info = head[dp:dp + d]
            if n == 0 and d == 0:
                break
            p = dp + (d + 3) // 4 * 4
    return head, info
def flat_head(path, limit=40 << 10):
    """The first records of a flattened file (headers, bitmaps, first pages), re-terminated."""
    out, logical = bytearray(), bytearray()
    with open(path, "rb") as f:
        out += f.read(4096)
        while len(out) < limit:
            rh = f.read(16)
            if len(rh) < 16:
                break
            off, size = struct.unpack(">qq", rh)
            if off < 0:
                break
            data = f.read(size)
            out += rh + data
            if off + size <= limit:
                logical[len(logical):] = bytes(max(0, off + size - len(logical)))
                logical[off:off + size] = data
    out += struct.pack(">qq", -1, -1)
    return bytes(out), bytes(logical)
def zstd_seekable(data, frame=16384):
    """data in independent zstd frames with the seek table at the end (flat-zstd's layout)."""
    frames, entries = b"", b""
    for i in range(0, len(data), frame):
        c = subprocess.run(["zstd", "-q", "-c", "-1"], input=data[i:i + frame],
                           capture_output=True, check=True).stdout
        frames += c
        entries += struct.pack("<II", len(c), len(data[i:i + frame]))
    body = entries + struct.pack("<IBI", len(entries) // 8, 0, 0x8F92EAB1)
    return frames + struct.pack("<II", 0x184D2A5E, len(body)) + body
for tag in sorted(os.listdir(src)):
    d = os.path.join(src, tag)
    for name in ("kdump.vmcore", "qemu.elf"):
        p = os.path.join(d, name)
        if os.path.isfile(p):
            head, info = elf_head(p)
            if head:
                put("elf_dump", f"real-{tag}-{name}", head)
            if info:
                put("vmcoreinfo", f"real-{tag}", info)
                # fuzz_arm64_translation: an even first byte says "VMCOREINFO text follows".
                put("arm64_translation", f"real-{tag}", b"\0" + info)
    p = os.path.join(d, "qemu-kdump-zlib.flat")
    if os.path.isfile(p):
        flat, logical = flat_head(p)
        put("flattened", f"real-{tag}", flat)
        put("kdump_compressed", f"real-{tag}", logical)
        if shutil.which("zstd"):
            put("flat_zstd", f"real-{tag}", zstd_seekable(flat))
PY
fi

# One target: its exit status goes to logs/<target>.status.
run_target() {
  local t=$1 corpus=$work/corpus/$1 artifacts=$work/artifacts/$1/ log=$work/logs/$1.log status=0
  mkdir -p "$corpus" "$artifacts" "$(dirname "$log")"
  "$build/tests/fuzz/fuzz_$t" -max_total_time="$seconds" -runs="$runs" -timeout="$per_input" -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts" "$corpus" "$seeds/$t" >"$log" 2>&1 ||
    status=$?
  echo "$status" > "$work/logs/$t.status"
}
lanes=${VMCAP_FUZZ_LANES:-$(nproc)}
running=0
for t in "${targets[@]}"; do
  rm -f "$work/logs/$t.status"
  if ((running >= lanes)); then wait -n || true; running=$((running - 1)); fi
  run_target "$t" &
  running=$((running + 1))
done
wait

failed=()
printf '%-18s %12s %s\n' target execs result
for t in "${targets[@]}"; do
  log=$work/logs/$t.log
  status=$(cat "$work/logs/$t.status" 2>/dev/null || echo 1)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  if [[ $status -ne 0 ]]; then
    failed+=("$t")
    printf '%-18s %12s FAILED (status %d, see %s)\n' "$t" "${execs:-?}" "$status" "$log"
  else
    printf '%-18s %12s ok\n' "$t" "${execs:-?}"
  fi
done
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz: crashes in: ${failed[*]} (inputs under $work/artifacts/)" >&2
  exit 1
fi
