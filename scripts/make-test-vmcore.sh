#!/usr/bin/env bash
# Makes the real test vmcores: real Debian kernels booted in qemu-system-x86_64 or
# qemu-system-aarch64 (TCG), dumped by QEMU (dump-guest-memory) and by a real kdump (kexec -p,
# sysrq-c, /proc/vmcore).
#
# Usage:
#   scripts/make-test-vmcore.sh [--out DIR] [--kernels "5.10 6.1 6.12"] [--modes "qemu kdump"]
#                               [--cache DIR] [--jobs N] [--refresh]
#   scripts/make-test-vmcore.sh --capture-run BINARY [--kernel 6.1|6.1-arm64...] --out DIR [--] [ARGS...]
#
# DIR defaults to <repo>/build/test-vmcores. Cached: a tag's outputs are remade only when the
# stamp (sha256 of this script, scripts/guest/* and scripts/lib/*, the tag and the modes;
# x86_64 tags leave out scripts/lib/*arm64*) changes. Downloaded kernels live in --cache (default DIR/.cache) and are kept across content
# changes; the kernel package picked for a tag is remembered there (--refresh asks the archive
# again). Network: deb.debian.org only, through apt lists of our own (host sources untouched).
#
# Tags (--kernels): KERNEL[-SCENARIO]. KERNEL: 5.10 (bullseye linux-image-5.10.0-NN-amd64),
# 6.1 (bookworm linux-image-6.1.0-NN-amd64), 6.12 (bookworm-backports), or an arm64 one:
#   VERSION-arm64[-16k][-nolpa2]   Debian's linux-image-arm64 (-16k: linux-image-arm64-16k) of
#            the same suites, in qemu-system-aarch64 -M virt -cpu max,pauth-impdef=on
#            (-nolpa2: ,lpa2=off: no FEAT_LPA2), console ttyAMA0, RAM at 1 GiB (0x40000000),
#            KASLR on (QEMU's dtb kaslr-seed). Guest userland of bookworm arm64 (busybox-static,
#            kexec-tools 2.0.25 with its libraries), from apt lists of our own (scripts/lib/
#            vmcore-arm64.sh). Memory layouts:
#     5.10-arm64            4K pages, VA_BITS 48, 4 levels (always lpa2=off: 5.10 does not
#                           boot with FEAT_LPA2; no _text in kallsyms)
#     6.1-arm64             4K, VA_BITS 48, 4 levels (no _text in kallsyms)
#     6.12-arm64            4K, VA_BITS 52 with LPA2 active: T1SZ 12, 5 levels
#     6.12-arm64-nolpa2     the same kernel folded to 48-bit VA, 4 levels at run time;
#                           PHYS_OFFSET comes out "negative"
#     6.12-arm64-16k        16K pages, VA_BITS 52 with LPA2: 4 levels
#     6.12-arm64-16k-nolpa2 16K pages folded to 47-bit VA: 3 levels
#   arm64 tags take the scenarios below too (e.g. 6.1-arm64-filter). In kdump mode the
#   capture kernel gets nokaslr and crashkernel is 256M (the arm64 Image is 33-44 MB).
#   arm64 reports add qemu_cpu and kconfig_* keys (below). QEMU's kdump-zlib dump of an arm64
#   guest has 64 KiB blocks whatever the guest's page size.
# SCENARIO:
#   (none)   1 CPU, the marker records.
#   smp2     2 CPUs in the first kernel (two NT_PRSTATUS notes; the capture kernel has 1).
#   wrapped  5000 records "vmcap-wrap NNNNNN <pad>" (18..148 bytes of text) written before
#            the markers: the 128 KiB printk ring (log_buf_len= cannot shrink it below
#            CONFIG_LOG_BUF_SHIFT=17) wraps about 3 times; loglevel=4. Reports add
#            wrap_records_written and wrap_records_in_kmsg.
#   bigbuf   log_buf_len=4M (the ring is a memblock allocation, outside the kernel image) and
#            3000 records "vmcap-bigbuf NNNNNN <pad>": about 330 KiB of ring, no wrap;
#            loglevel=4. Reports add fill_records_written, fill_records_in_kmsg,
#            log_buf_len_line.
#   filter   kdump mode only. Realistic memory for the page filter: a running process with
#            128 MiB of anonymous memory, MADV_HUGEPAGE with THP enabled=always (memhog, a
#            static C program built here from scripts/guest/memhog.c and cached in --cache);
#            48 MiB of page cache (the guest reads a region of its virtio disk the host filled
#            with 24 MiB random and 24 MiB text); then 256 MiB filled with random bytes and
#            freed (free pages that are not zero). Just before sysrq-c (after kexec -p) the
#            guest saves raw /proc/kpageflags, /proc/kpagecount and /proc/meminfo (O_DIRECT to
#            its disk). Adds kdump.kpageflags, kdump.kpagecount (8 bytes a pfn from pfn 0, as
#            the kernel gives them), kdump.meminfo; the report adds thp_enabled and
#            meminfo_*_kb.
#   big      kdump mode only, a 3584 MiB guest (crashkernel=256M): the filter memory scaled
#            (1024 MiB random freed, 512 MiB anonymous, 48 MiB cache), log_buf_len=1M with 8000
#            "vmcap-big" records, and the same snapshot. For scripts/bench-dmesg.sh and
#            scripts/bench-filter.sh; not for CI (a 3.5 GiB vmcore).
#   realistic kdump mode only: big (same guest, crashkernel, records "vmcap-realistic") with
#            real data where big has random bytes: the host writes the tag's kernel package as
#            a tar stream (its files with vmlinuz left out, the modules and changelog
#            uncompressed: 385 MiB for 6.1, ELF modules with System.map, config and text;
#            no random bytes) to the disk, the page cache is its first 48 MiB, and memhog
#            (--from) fills the 512 MiB anonymous and the 1024 MiB freed memory by reading
#            the rest of it, going round (about 4 times). The report's cmdline has
#            vmcap.data_mib. For scripts/bench-filter.sh; not for CI.
# A tag's modes are those of --modes that its scenario supports (filter, big, realistic:
# kdump only);
# DIR/<tag>/modes lists what was made.
# Cost seen on the 2-core machine, two jobs (qemu_cpu_s + kdump_cpu_s / tag_total_s): arm64
# tags: 6.1-arm64, 6.12-arm64: qemu 4 s CPU / 9 s, kdump 20-23 s CPU / 36-38 s.
# Cost seen on the 2-core machine, one job, busy (kdump_cpu_s / tag_total_s in timings):
# 6.1-bigbuf 48 s CPU / 90 s (both modes); 5.10-, 6.1-, 6.12-filter 27-36 s CPU / 60-85 s;
# 6.1-big 54 s CPU / 92 s (a 3.4 GiB vmcore, 1.8 GiB on disk: sparse).
#
# Layout, per tag:
#   DIR/<tag>/qemu.elf               QEMU ELF dump (paging=false), 512 MiB guest, holes punched
#   DIR/<tag>/qemu-kdump-zlib.flat   QEMU kdump-zlib dump: makedumpfile flattened format
#   DIR/<tag>/qemu.report            key=value, see below, taken just before the dumps
#   DIR/<tag>/qemu.kmsg              /dev/kmsg contents just before the dumps
#   DIR/<tag>/qemu.console.log       serial console
#   DIR/<tag>/qemu.vmcoreinfo        the VMCOREINFO note's text, from qemu.elf
#   DIR/<tag>/kdump.vmcore           /proc/vmcore of a real kdump (1 GiB guest, crashkernel=192M)
#   DIR/<tag>/kdump.report           key=value of the first kernel, taken just before kexec -p
#   DIR/<tag>/kdump.kmsg             /dev/kmsg of the first kernel just before kexec -p/sysrq-c
#                                    (the vmcore's log has these records and a few later ones:
#                                    kexec, sysrq, the panic)
#   DIR/<tag>/kdump.capture.report   key=value from the capture kernel (below)
#   DIR/<tag>/kdump.vmcoreinfo       the VMCOREINFO note's text, from kdump.vmcore
#   DIR/<tag>/kdump.console.log      serial console, both kernels
#   DIR/<tag>/kdump.kpageflags       filter, big, realistic: raw /proc/kpageflags (see above)
#   DIR/<tag>/kdump.kpagecount       filter, big, realistic: raw /proc/kpagecount
#   DIR/<tag>/kdump.meminfo          filter, big, realistic: /proc/meminfo just before kpageflags
#   DIR/<tag>/modes                  the modes made for the tag, e.g. "qemu kdump"
#   DIR/<tag>/timings                seconds measured on the host: qemu_boot_to_ready_s,
#                                    qemu_dump_elf_s, qemu_dump_flat_s, qemu_cpu_s (CPU time
#                                    QEMU used: load-independent), kdump_total_s, kdump_cpu_s,
#                                    tag_total_s
#   DIR/<tag>/.stamp                 cache key
# kmsg files are /dev/kmsg's format: "prio,seq,ts_usec,flags;text" + " KEY=value" dict lines
# (bytes < 0x20, >= 0x7f and backslash as \xNN); they start at seq 0 unless the scenario wraps.
# Their seq numbers are the ones the dump's ring holds.
#
# Report keys (qemu.report, kdump.report): mode, scenario, kernel_release (uname -r),
# kernel_version (uname -v), machine (uname -m), mem_total_kb, cpus_online (nproc),
# cpus_cpuinfo, text_addr (_text in /proc/kallsyms; when kallsyms has none, as on arm64 5.10
# and 6.1, _stext - 0x10000), text_addr_source (kallsyms or stext), stext_addr (_stext),
# kaslr_offset (x86_64 only: text_addr - 0xffffffff81000000, which is VMCOREINFO's
# KERNELOFFSET; on arm64 KERNELOFFSET = text_addr - KIMAGE_VADDR), page_size (bytes),
# cmdline, crashkernel_range (kdump only, from /proc/iomem), ram_ranges (top-level System RAM
# of /proc/iomem, "start-end" in hex with inclusive ends, space separated),
# kernel_code_range, kernel_data_range (/proc/iomem), vmcoreinfo_note
# (/sys/kernel/vmcoreinfo: "0xPADDR SIZE"), cpu_features (arm64: /proc/cpuinfo Features),
# kexec_kallsyms_added (kdump only: symbols added to the kallsyms kexec -p read, or none),
# uptime_s, kmsg_records, kmsg_first_seq, kmsg_last_seq, kmsg_cont_records,
# kmsg_dict_records, kmsg_bytes. arm64 tags add qemu_cpu (the -cpu value) and, from the
# kernel's config, kconfig_ARM64_VA_BITS, _ARM64_PA_BITS, _PGTABLE_LEVELS, _ARM64_4K_PAGES,
# _ARM64_16K_PAGES, _ARM64_64K_PAGES, _ARM64_LPA2, _RANDOMIZE_BASE, _KALLSYMS_ALL (y or n).
# kdump.capture.report keys: capture, kernel_release, mem_total_kb, mem_free_kb, cpus_online,
# cmdline, vmcore_size, vmcore_offset_mib, vmcore_copy_start_s, vmcore_copy_end_s,
# mem_free_after_kb.
# Marker records written to /dev/kmsg by the guest (scripts/guest/init), each one record (the
# guest checks all 11 reached its kmsg copy; \t and \n below are a real tab and newline):
#   "vmcap-marker plain: the quick brown fox"        (no <N>: facility user, default level)
#   "<13>vmcap-marker facility-user-notice"           "<165>vmcap-marker facility-local4-notice"
#   "<7>vmcap-marker level-debug"  "<3>vmcap-marker level-err"
#   "vmcap-marker utf8: café 日本語"   "vmcap-marker tab:\tafter-tab"
#   "vmcap-marker backslash: a\b\\c"   "vmcap-marker multiline: first\nsecond"
#   "vmcap-marker long: 0-0123456789abcdef 1-... end" (about 900 bytes)   "vmcap-marker last"
#
# --capture-run: the kdump flow with BINARY (static) in the capture initramfs, run there as
# `BINARY ARGS...` (the vmcore is not copied). Not cached. Writes to DIR: run.stdout,
# run.stderr, run.status (the exit status), capture.report, report, kmsg, console.log.
# Exits 0 when the run happened (whatever the binary's status), 1 otherwise.
#
# Needs (scripts/packages/qemu.txt): qemu-system-x86, busybox-static, kexec-tools, cpio, kmod,
# xz-utils, zstd, python3, and apt, dpkg, util-linux, coreutils, tar; for arm64 tags
# qemu-system-arm, binutils (readelf), and for their filter scenario gcc-aarch64-linux-gnu
# with libc6-dev-arm64-cross. Runs as root or not.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin  # kexec, depmod for a non-root user

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$script_dir/.." && pwd)
self=$script_dir/$(basename "${BASH_SOURCE[0]}")
guest_dir=$script_dir/guest
lib_dir=$script_dir/lib
# shellcheck source-path=SCRIPTDIR source=lib/vmcore-arm64.sh
. "$lib_dir/vmcore-arm64.sh"
main_pid=$$

out=$root/build/test-vmcores
kernels="5.10 6.1 6.12"
modes="qemu kdump"
cache=
jobs=$(nproc)
refresh=0
capture_run=
run_kernel=6.1
run_args=()
archive=http://deb.debian.org/debian

qemu_mem=512M
kdump_mem_mib=1024
crashkernel=192M
boot_timeout=180
kdump_timeout=300
console=ttyS0

usage() { sed -n '2,9p' "$self" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
# ---------------------------------------------------------------- options
parse_args() {
  while [ $# -gt 0 ]; do
    case "$1" in
      --out) out=$2; shift 2 ;;
      --kernels) kernels=$2; shift 2 ;;
      --modes) modes=$2; shift 2 ;;
      --cache) cache=$2; shift 2 ;;
      --jobs) jobs=$2; shift 2 ;;
      --refresh) refresh=1; shift ;;
      --capture-run) capture_run=$2; shift 2 ;;
      --kernel) run_kernel=$2; shift 2 ;;
      -h|--help) usage 0 ;;
      --) shift; run_args=("$@"); break ;;
      *) if [ -n "$capture_run" ]; then run_args=("$@"); break; fi
         echo "unknown option $1" >&2; usage 1 ;;
    esac
  done
  mkdir -p "$out"
  out=$(cd "$out" && pwd)
  cache=${cache:-$out/.cache}
  mkdir -p "$cache"
  cache=$(cd "$cache" && pwd)
}


log() { echo "[make-test-vmcore $(date +%T)] $*" >&2; }
fail() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
# CPU seconds (user + system) used so far by this shell's finished children: its difference
# across a guest run is what QEMU used, a measure that does not depend on the machine's load.
# (`times` must run in this shell, not in a pipe's or a $(...)'s subshell.) Sets cpu_now.
child_cpu() {
  local f=$out/.times.$BASHPID
  times > "$f"
  cpu_now=$(awk 'NR == 2 { t = 0; for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] } printf "%.1f", t }' "$f")
  rm -f "$f"
}
cpu_since() { awk -v a="$1" -v b="$cpu_now" 'BEGIN { printf "%.1f", b - a }'; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# ---------------------------------------------------------------- tools
is_static() { case "$(LC_ALL=C ldd "$1" 2>&1 || true)" in *"not a dynamic"*|*"statically linked"*) return 0 ;; esac; return 1; }
need_tools() { # TAG...: the tools those tags need
  local t missing="" arches=" "
  for t in "$@"; do parse_tag "$t"; arches="$arches$arch "; done
  case "$arches" in *" x86_64 "*) missing=; for t in qemu-system-x86_64 kexec; do
    command -v "$t" >/dev/null || missing="$missing $t"; done ;; esac
  case "$arches" in *" arm64 "*) for t in qemu-system-aarch64 readelf; do
    command -v "$t" >/dev/null || missing="$missing $t"; done ;; esac
  for t in cpio depmod modprobe xz python3 dpkg-deb apt-get \
           apt-cache fallocate flock sha256sum tar truncate ldd timeout; do
    command -v "$t" >/dev/null || missing="$missing $t"
  done
  [ -z "$missing" ] || fail "missing tools:$missing (see scripts/packages/qemu.txt)"
  case "$arches" in *" x86_64 "*) ;; *) return 0 ;; esac
  busybox=
  for t in /bin/busybox /usr/bin/busybox; do
    if [ -x "$t" ] && is_static "$t"; then busybox=$t; break; fi
  done
  [ -n "$busybox" ] || fail "no static busybox (apt-get install busybox-static)"
}

# ---------------------------------------------------------------- kernels
# parse_tag TAG: sets arch (x86_64, arm64), kernel (the kernel id: 5.10, 6.1, 6.12,
# 5.10-arm64, 6.1-arm64, 6.12-arm64, 6.12-arm64-16k), lpa2 (on, off; arm64 only) and scenario
# (basic when the tag has none). See the header for the tag grammar.
parse_tag() {
  local rest
  arch=x86_64; kernel=${1%%-*}; lpa2=on; scenario=basic
  rest=${1#"$kernel"}; rest=${rest#-}
  if [ "${rest%%-*}" = arm64 ]; then
    arch=arm64; kernel=$kernel-arm64; rest=${rest#arm64}; rest=${rest#-}
    if [ "${rest%%-*}" = 16k ]; then kernel=$kernel-16k; rest=${rest#16k}; rest=${rest#-}; fi
    if [ "${rest%%-*}" = nolpa2 ]; then lpa2=off; rest=${rest#nolpa2}; rest=${rest#-}; fi
    # 5.10 does not boot on a CPU with FEAT_LPA2.
    [ "$kernel" = 5.10-arm64 ] && lpa2=off
  fi
  [ -n "$rest" ] && scenario=$rest
  return 0
}

suite_of() {
  case "$1" in
    5.10) echo bullseye ;;
    6.1) echo bookworm ;;
    6.12) echo bookworm-backports ;;
    *) fail "unknown kernel $1 (known: 5.10 6.1 6.12)" ;;
  esac
}

apt_opts() {
  local d=$cache/apt/$1
  echo "-q -o Dir::Etc::SourceList=$d/sources.list -o Dir::Etc::SourceParts=/dev/null" \
       "-o Dir::State::Lists=$d/lists -o Dir::Cache=$d/cache -o Dir::Cache::pkgcache=" \
       "-o Dir::Cache::srcpkgcache= -o APT::Sandbox::User=root"
}

# fetch_kernel KVER: downloads the kernel image package once; prints the .deb path.
fetch_kernel() {
  local kver=$1 suite pick deb pkg d t0
  suite=$(suite_of "$kver")
  pick=$cache/debs/$kver.deb-name
  mkdir -p "$cache/debs"
  if [ "$refresh" = 0 ] && [ -f "$pick" ] && [ -f "$cache/debs/$(cat "$pick")" ]; then
    echo "$cache/debs/$(cat "$pick")"
    return
  fi
  t0=$(now)
  d=$cache/apt/$suite
  mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
  echo "deb [trusted=yes] $archive $suite main" > "$d/sources.list"
  # shellcheck disable=SC2046
  apt-get $(apt_opts "$suite") update >"$d/update.log" 2>&1 ||
    { cat "$d/update.log" >&2; fail "apt-get update ($suite) failed"; }
  # shellcheck disable=SC2046
  pkg=$(apt-cache $(apt_opts "$suite") depends linux-image-amd64 |
        awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ {print $2; exit}')
  [ -n "$pkg" ] || fail "cannot resolve linux-image-amd64 in $suite"
  # shellcheck disable=SC2046
  (cd "$cache/debs" && apt-get $(apt_opts "$suite") download "$pkg" >"$d/download.log" 2>&1) ||
    { cat "$d/download.log" >&2; fail "apt-get download $pkg failed"; }
  # shellcheck disable=SC2012  # Debian package file names are plain
  deb=$(cd "$cache/debs" && ls -t "${pkg}"_*.deb | head -n 1)
  echo "$deb" > "$pick"
  log "kernel $kver: $deb ($(du -m "$cache/debs/$deb" | cut -f1) MB) in $(elapsed "$t0") s"
  echo "$cache/debs/$deb"
}

# Modules the guests load, with what modprobe says they need.
guest_modules="qemu_fw_cfg virtio_pci virtio_blk"

# stage_kernel KVER: extracts vmlinuz and the needed modules; sets kroot, krel, kdeb (the
# package).
stage_kernel() {
  local kver=$1 deb name t0 lock
  # Tags of one kernel run in parallel: one of them downloads and extracts, the others wait.
  exec {lock}>"$cache/$kver.lock"
  flock "$lock"
  case "$kver" in
    *-arm64*) deb=$(arm64_fetch_kernel "$kver") ;;
    *) deb=$(fetch_kernel "$kver") ;;
  esac
  kdeb=$deb
  name=$(basename "$deb" .deb)
  kroot=$cache/kernels/$name
  if [ ! -f "$kroot/.ok" ]; then
    t0=$(now)
    rm -rf "$kroot"
    mkdir -p "$kroot"
    dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$kroot" --wildcards \
      './boot/vmlinuz-*' './boot/config-*' './lib/modules/*/modules.order' \
      './lib/modules/*/modules.builtin' './lib/modules/*/modules.builtin.modinfo' \
      './lib/modules/*/kernel/drivers/virtio/*' './lib/modules/*/kernel/drivers/block/virtio_blk.ko*' \
      './lib/modules/*/kernel/drivers/firmware/qemu_fw_cfg.ko*'
    krel=$(ls "$kroot/lib/modules")
    depmod -b "$kroot" "$krel" 2>"$kroot/depmod.log" || fail "depmod failed for $krel"
    touch "$kroot/.ok"
    log "kernel $kver: extracted $krel in $(elapsed "$t0") s"
  fi
  krel=$(ls "$kroot/lib/modules")
  exec {lock}>&-
}

# ---------------------------------------------------------------- initramfs
# base_tree DIR INIT: busybox, the init script, lib.sh and the virtio-blk + fw_cfg modules.
base_tree() {
  local dir=$1 init=$2 m f
  rm -rf "$dir"
  mkdir -p "$dir"/{bin,sbin,dev,proc,sys,tmp,out,lib/vmcap/ko}
  cp "$guest_busybox" "$dir/bin/busybox"
  ln -s busybox "$dir/bin/sh"
  install -m 755 "$init" "$dir/init"
  cp "$guest_dir/lib.sh" "$dir/lib/vmcap/lib.sh"
  : > "$dir/lib/vmcap/modules"
  for m in $guest_modules; do
    modprobe -d "$kroot" -S "$krel" --show-depends "$m" | awk '$1 == "insmod" {print $2}'
  done | awk '!seen[$0]++' | while read -r f; do
    case "$f" in
      *.ko.xz) xz -dc "$f" > "$dir/lib/vmcap/ko/$(basename "$f" .xz)" ;;
      *.ko.zst) zstd -qdc "$f" > "$dir/lib/vmcap/ko/$(basename "$f" .zst)" ;;
      *) cp "$f" "$dir/lib/vmcap/ko/" ;;
    esac
    f=$(basename "$f"); echo "${f%.ko*}.ko" >> "$dir/lib/vmcap/modules"
  done
}

# add_binary DIR PATH: a dynamically linked host program and its libraries.
add_binary() {
  local dir=$1 bin=$2 lib
  mkdir -p "$dir$(dirname "$bin")"
  cp -L "$bin" "$dir$bin"
  for lib in $(ldd "$bin" | awk '/=> \// {print $3} /^\t\// {print $1}'); do
    mkdir -p "$dir$(dirname "$lib")"
    cp -L "$lib" "$dir$lib"
  done
}

make_cpio() { (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet --reproducible) > "$2"; }

# kdump_cpios WORK [BINARY ARGS...]: WORK/first.cpio holding kexec, the kernel and
# WORK/capture.cpio (with BINARY to run if given).
kdump_cpios() {
  local work=$1; shift
  base_tree "$work/capture" "$guest_dir/capture-init"
  if [ $# -gt 0 ]; then
    mkdir -p "$work/capture/vmcap-run/bin"
    cp -L "$1" "$work/capture/vmcap-run/bin/"
    chmod 755 "$work/capture/vmcap-run/bin/$(basename "$1")"
    shift
    : > "$work/capture/vmcap-run/args"
    local a
    for a in "$@"; do printf '%s\n' "$a" >> "$work/capture/vmcap-run/args"; done
  fi
  make_cpio "$work/capture" "$work/capture.cpio"
  base_tree "$work/first" "$guest_dir/init"
  if [ "$arch" = arm64 ]; then
    cp -a "$a64_kexec_root/." "$work/first/"
  else
    add_binary "$work/first" "$(command -v kexec)"
  fi
  if [ "${need_memhog:-0}" = 1 ]; then cp "$(memhog_binary)" "$work/first/bin/memhog"; fi
  mkdir -p "$work/first/boot"
  cp "$kroot/boot/vmlinuz-$krel" "$work/first/boot/vmlinuz"
  cp "$work/capture.cpio" "$work/first/boot/capture.cpio"
  make_cpio "$work/first" "$work/first.cpio"
}

# ---------------------------------------------------------------- guest runs
# scenario_opts SCENARIO: sets smp, extra (kernel command line), tag_modes (the modes the
# scenario supports), kdump_mem_mib, crashkernel, cache_mib (a region of the disk filled
# with page cache content for the guest to read), need_memhog and real_data (1: that region
# holds the kernel package's files instead, for memhog to read too: real_data_tar).
scenario_opts() {
  smp=1; extra="vmcap.scenario=$1"; tag_modes="qemu kdump"; kdump_mem_mib=1024
  crashkernel=192M; cache_mib=0; need_memhog=0; real_data=0
  case "$1" in
    basic) ;;
    smp2) smp=2 ;;
    wrapped) extra="$extra loglevel=4" ;;
    bigbuf) extra="$extra loglevel=4 log_buf_len=4M vmcap.records=3000" ;;
    filter)
      tag_modes=kdump; cache_mib=48; need_memhog=1
      extra="$extra vmcap.random_mib=256 vmcap.anon_mib=128" ;;
    big)
      tag_modes=kdump; cache_mib=48; need_memhog=1; kdump_mem_mib=3584; crashkernel=256M
      extra="$extra loglevel=4 log_buf_len=1M vmcap.records=8000 vmcap.random_mib=1024 vmcap.anon_mib=512" ;;
    realistic)
      tag_modes=kdump; cache_mib=48; need_memhog=1; kdump_mem_mib=3584; crashkernel=256M
      real_data=1
      extra="$extra loglevel=4 log_buf_len=1M vmcap.records=8000 vmcap.random_mib=1024 vmcap.anon_mib=512" ;;
    *) fail "unknown scenario $1 (known: smp2 wrapped bigbuf filter big realistic)" ;;
  esac
}

# arch_opts: what differs between the architectures (after parse_tag and scenario_opts): the
# console, the guest's busybox, QEMU's CPU, the capture kernel's room and options, the time
# allowed. Sets console, guest_busybox, cpu_opts, kexec_append_extra (',' for ' ').
arch_opts() {
  kexec_append_extra=
  if [ "$arch" = arm64 ]; then
    arm64_userland
    guest_busybox=$a64_busybox
    console=ttyAMA0
    # pauth-impdef: QEMU's own pointer authentication algorithm, much faster under TCG.
    cpu_opts=max,pauth-impdef=on
    [ "$lpa2" = off ] && cpu_opts=$cpu_opts,lpa2=off
    # Debian's arm64 kernel image alone is 33-44 MB (uncompressed Image).
    [ "$crashkernel" = 192M ] && crashkernel=256M
    kexec_append_extra=,nokaslr
    # _text is 64 KiB (SEGMENT_ALIGN) below _stext on arm64: for kernels whose
    # /proc/kallsyms lacks _text (scripts/guest/init, fix_kallsyms).
    extra="$extra vmcap.text_below_stext=0x10000"
    boot_timeout=600; kdump_timeout=900
  else
    guest_busybox=$busybox
    console=ttyS0
  fi
}

# memhog_binary: scripts/guest/memhog.c built static, cached in --cache by its source's hash.
memhog_binary() {
  local sum bin cc=gcc
  sum=$(sha256sum "$guest_dir/memhog.c" | cut -c1-16)
  bin=$cache/memhog-$sum
  if [ "$arch" = arm64 ]; then bin=$bin-arm64; cc=aarch64-linux-gnu-gcc; fi
  if [ ! -x "$bin" ]; then
    command -v "$cc" >/dev/null || fail "$cc is needed to build scripts/guest/memhog.c"
    "$cc" -static -O2 -Wall -o "$bin.tmp.$$" "$guest_dir/memhog.c" || fail "building memhog failed"
    mv "$bin.tmp.$$" "$bin"
  fi
  echo "$bin"
}

qemu_cmd() { # MEM SMP WORK: sets the array qcmd
  if [ "$arch" = arm64 ]; then arm64_qemu_cmd "$@"; return; fi
  # shellcheck disable=SC2054  # the commas are QEMU's
  qcmd=(qemu-system-x86_64 -accel tcg,thread=multi -smp "$2" -m "$1" -nodefaults -display none
    -no-reboot -kernel "$kroot/boot/vmlinuz-$krel" -initrd "$3/init.cpio"
    -device vmcoreinfo -serial "file:$3/console.log"
    -drive "file=$3/disk.raw,format=raw,if=virtio"
    -qmp "unix:$3/qmp.sock,server=on,wait=off")
}

# extract_region DISK OFFSET_MIB DIR: the tar stream a guest wrote at that offset.
extract_region() {
  mkdir -p "$3"
  # tar stops at the end-of-archive blocks: dd then dies of SIGPIPE, which is fine.
  { dd if="$1" bs=1M skip="$2" count=64 status=none 2>/dev/null || true; } | tar -x -C "$3" ||
    fail "no tar stream at $2 MiB of $1"
}

# run_qemu_mode TAG DEST: QEMU dump-guest-memory dumps of a 512 MiB guest.
run_qemu_mode() {
  local tag=$1 dest=$2 work=$out/.work/$1/qemu t0 t1 t2 c0 c1 pid i
  rm -rf "$work"; mkdir -p "$work"
  base_tree "$work/tree" "$guest_dir/init"
  make_cpio "$work/tree" "$work/init.cpio"
  truncate -s 128M "$work/disk.raw"
  t0=$(now); child_cpu; c0=$cpu_now
  qemu_cmd "$qemu_mem" "$smp" "$work"
  "${qcmd[@]}" -append "console=$console panic=-1 printk.devkmsg=on vmcap.mode=qemu $extra" >"$work/qemu.log" 2>&1 &
  pid=$!
  i=0
  until grep -q VMCAP-READY "$work/console.log" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null || grep -q VMCAP-FAILED "$work/console.log" 2>/dev/null ||
       [ "$i" -gt $((boot_timeout * 5)) ]; then
      kill "$pid" 2>/dev/null || true
      tail -n 30 "$work/console.log" "$work/qemu.log" >&2 || true
      fail "$tag qemu: guest did not get ready"
    fi
    sleep 0.2; i=$((i + 1))
  done
  t1=$(now)
  # Stop the guest first: both dumps must hold the same memory (a running guest changes
  # a few dozen kernel data pages between them).
  python3 "$lib_dir/qmp.py" "$work/qmp.sock" '{"execute":"stop"}' \
    "{\"execute\":\"dump-guest-memory\",\"arguments\":{\"paging\":false,\"protocol\":\"file:$work/qemu.elf\"}}" \
    >/dev/null || { kill "$pid"; fail "$tag: dump-guest-memory (elf) failed"; }
  t2=$(now)
  python3 "$lib_dir/qmp.py" "$work/qmp.sock" \
    "{\"execute\":\"dump-guest-memory\",\"arguments\":{\"paging\":false,\"format\":\"kdump-zlib\",\"protocol\":\"file:$work/qemu-kdump-zlib.flat\"}}" \
    '{"execute":"quit"}' >/dev/null || { kill "$pid"; fail "$tag: dump-guest-memory (kdump-zlib) failed"; }
  wait "$pid" || true
  child_cpu; c1=$(cpu_since "$c0")
  {
    echo "qemu_boot_to_ready_s=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')"
    echo "qemu_dump_elf_s=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.1f", b - a }')"
    echo "qemu_dump_flat_s=$(elapsed "$t2")"
    echo "qemu_cpu_s=$c1"
  } >> "$dest/timings"
  extract_region "$work/disk.raw" 0 "$work/out"
  fallocate -d "$work/qemu.elf"
  chmod 644 "$work/qemu.elf" "$work/qemu-kdump-zlib.flat"
  mv "$work/qemu.elf" "$work/qemu-kdump-zlib.flat" "$dest/"
  mv "$work/out/report" "$dest/qemu.report"
  [ "$arch" = arm64 ] && arm64_report_extra "$dest/qemu.report"
  python3 "$lib_dir/vmcoreinfo.py" "$dest/qemu.elf" > "$dest/qemu.vmcoreinfo" ||
    fail "$tag: no VMCOREINFO note in qemu.elf"
  mv "$work/out/kmsg" "$dest/qemu.kmsg"
  mv "$work/console.log" "$dest/qemu.console.log"
  rm -rf "$work"
}

# run_kdump WORK CAPTURE_MODE: boots the first kernel with crashkernel=, which kexecs into the
# capture kernel on sysrq-c; returns when QEMU exits (the capture kernel reboots).
run_kdump() {
  local work=$1 what=$2 rc=0
  mv "$work/first.cpio" "$work/init.cpio"
  # 0: the first kernel's tar; 64: the capture kernel's tar; 72..: the filter snapshot (below);
  # 128: the vmcore; then cache_mib of page cache content (realistic: the real data).
  truncate -s $((128 + kdump_mem_mib + 64 + cache_mib))M "$work/disk.raw"
  if [ "${real_data:-0}" = 1 ]; then
    # realistic: the page cache region is the start of the real data, memhog reads the rest.
    local data_mib
    real_data_tar "$work/data.tar"
    data_mib=$(($(stat -c %s "$work/data.tar") >> 20))
    [ "$data_mib" -gt $((cache_mib + 64)) ] || fail "only $data_mib MiB of real data"
    truncate -s $((128 + kdump_mem_mib + 64 + data_mib + 1))M "$work/disk.raw"
    dd if="$work/data.tar" of="$work/disk.raw" bs=1M seek=$((128 + kdump_mem_mib + 64)) \
       conv=notrunc status=none
    rm -f "$work/data.tar"
    extra="$extra vmcap.cache_at_mib=$((128 + kdump_mem_mib + 64)) vmcap.cache_mib=$cache_mib"
    extra="$extra vmcap.data_mib=$data_mib vmcap.snapshot_at_mib=72 vmcap.snapshot_room_mib=24"
  elif [ "${cache_mib:-0}" -gt 0 ]; then
    local half=$((cache_mib / 2))
    { head -c $((half << 20)) /dev/urandom
      { yes 'vmcap page cache: the quick brown fox jumps over the lazy dog 0123456789' || true; } |
        head -c $(((cache_mib - half) << 20)); } |
      dd of="$work/disk.raw" bs=1M seek=$((128 + kdump_mem_mib + 64)) conv=notrunc \
         iflag=fullblock status=none
    extra="$extra vmcap.cache_at_mib=$((128 + kdump_mem_mib + 64)) vmcap.cache_mib=$cache_mib"
    extra="$extra vmcap.snapshot_at_mib=72 vmcap.snapshot_room_mib=24"
  fi
  qemu_cmd "${kdump_mem_mib}M" "$smp" "$work"
  timeout "$kdump_timeout" "${qcmd[@]}" \
    -append "console=$console panic=-1 printk.devkmsg=on crashkernel=$crashkernel vmcap.mode=kdump vmcap.kexec_append=vmcap.capture=$what$kexec_append_extra $extra" \
    >"$work/qemu.log" 2>&1 || rc=$?
  if [ "$rc" != 0 ] || ! grep -q VMCAP-CAPTURE-DONE "$work/console.log"; then
    tail -n 40 "$work/console.log" "$work/qemu.log" >&2 || true
    fail "kdump run in $work failed (qemu exit $rc)"
  fi
  extract_region "$work/disk.raw" 0 "$work/out"
  extract_region "$work/disk.raw" 64 "$work/out"
  if [ "${cache_mib:-0}" -gt 0 ]; then extract_snapshot "$work/disk.raw" 72 24 "$work/out"; fi
}

# real_data_tar FILE: the staged kernel package's files (kdeb) as one tar stream of real data
# for the realistic scenario: vmlinuz left out (compressed), .xz/.zst/.gz files uncompressed
# (6.12's modules, the changelog), the rest as packaged (ELF modules, System.map, config,
# text). Made the same on every host (sorted, owner 0, mtime 0).
real_data_tar() {
  local tree=$1.tree f
  rm -rf "$tree"; mkdir -p "$tree"
  dpkg-deb --fsys-tarfile "$kdeb" | tar -x -C "$tree" --exclude='./boot/vmlinuz-*' ||
    fail "cannot unpack $kdeb"
  find "$tree" -type f \( -name '*.xz' -o -name '*.zst' -o -name '*.gz' \) -print0 |
    while IFS= read -r -d '' f; do
      case "$f" in
        *.xz) xz -dq "$f" ;;
        *.zst) zstd -qd --rm "$f" ;;
        *.gz) gzip -dq "$f" ;;
      esac || fail "cannot uncompress $f"
    done
  tar -c -C "$tree" --sort=name --owner=0 --group=0 --numeric-owner --mtime=@0 -f "$1" . ||
    fail "cannot make $1"
  rm -rf "$tree"
}

# extract_snapshot DISK AT_MIB ROOM_MIB DIR: the raw files of the guest's snapshot_pages.
extract_snapshot() {
  local disk=$1 at=$2 room=$3 dir=$4 kpf kpc
  dd if="$disk" bs=1M skip="$at" count=1 status=none | tr -d '\0' > "$dir/meminfo"
  dd if="$disk" bs=1M skip=$((at + 1)) count=1 status=none | tr -d '\0' > "$dir/snapshot.index"
  kpf=$(sed -n 's/^kpageflags_bytes=//p' "$dir/snapshot.index")
  kpc=$(sed -n 's/^kpagecount_bytes=//p' "$dir/snapshot.index")
  [ -n "$kpf" ] && [ -n "$kpc" ] && grep -q '^MemTotal:' "$dir/meminfo" ||
    fail "no page snapshot at $at MiB of $disk"
  dd if="$disk" of="$dir/kpagecount" bs=1M skip=$((at + 8)) count="$kpc" iflag=count_bytes status=none
  dd if="$disk" of="$dir/kpageflags" bs=1M skip=$((at + 8 + room)) count="$kpf" iflag=count_bytes status=none
  [ "$(stat -c %s "$dir/kpageflags")" = "$kpf" ] || fail "short kpageflags"
}

run_kdump_mode() {
  local tag=$1 dest=$2 work=$out/.work/$1/kdump t0 c0 c1 size
  rm -rf "$work"; mkdir -p "$work"
  kdump_cpios "$work"
  t0=$(now); child_cpu; c0=$cpu_now
  run_kdump "$work" dump
  child_cpu; c1=$(cpu_since "$c0")
  {
    echo "kdump_total_s=$(elapsed "$t0")"
    echo "kdump_cpu_s=$c1"
  } >> "$dest/timings"
  size=$(sed -n 's/^vmcore_size=//p' "$work/out/capture.report")
  if [ -z "$size" ] || [ "$size" -le 0 ]; then fail "$tag: no vmcore size"; fi
  dd if="$work/disk.raw" of="$dest/kdump.vmcore" bs=1M skip=128 count="$size" \
    iflag=count_bytes conv=sparse status=none
  mv "$work/out/report" "$dest/kdump.report"
  [ "$arch" = arm64 ] && arm64_report_extra "$dest/kdump.report"
  python3 "$lib_dir/vmcoreinfo.py" "$dest/kdump.vmcore" > "$dest/kdump.vmcoreinfo" ||
    fail "$tag: no VMCOREINFO note in kdump.vmcore"
  mv "$work/out/kmsg" "$dest/kdump.kmsg"
  mv "$work/out/capture.report" "$dest/kdump.capture.report"
  if [ -f "$work/out/kpageflags" ]; then
    mv "$work/out/kpageflags" "$dest/kdump.kpageflags"
    mv "$work/out/kpagecount" "$dest/kdump.kpagecount"
    mv "$work/out/meminfo" "$dest/kdump.meminfo"
  fi
  mv "$work/console.log" "$dest/kdump.console.log"
  rm -rf "$work"
}

stamp_of() { # TAG: the x86_64 tags' stamp leaves the arm64 files out
  local f libs=()
  parse_tag "$1"
  for f in "$lib_dir"/*; do
    case "$arch:$f" in x86_64:*arm64*) ;; *) libs+=("$f") ;; esac
  done
  { cat "$self" "$guest_dir"/* "${libs[@]}"; echo "tag=$1 modes=$modes"; } | sha256sum | cut -d' ' -f1
}

# make_tag TAG: everything for one tag (kernel already staged in the parent).
make_tag() { # TAG STAMP
  local tag=$1 stamp=$2 dest=$out/$1 t0 m
  parse_tag "$tag"
  scenario_opts "$scenario"
  arch_opts
  stage_kernel "$kernel"
  t0=$(now)
  rm -rf "$dest"; mkdir -p "$dest"
  : > "$dest/timings"
  local made=
  for m in $modes; do
    case " $tag_modes " in *" $m "*) made="$made $m" ;; *) log "$tag: no $m mode for $scenario"; continue ;; esac
    case "$m" in
      qemu) run_qemu_mode "$tag" "$dest" ;;
      kdump) run_kdump_mode "$tag" "$dest" ;;
      *) fail "unknown mode $m" ;;
    esac
  done
  [ -n "$made" ] || fail "$tag: none of the modes \"$modes\" applies to scenario $scenario"
  echo "${made# }" > "$dest/modes"
  echo "tag_total_s=$(elapsed "$t0")" >> "$dest/timings"
  echo "$stamp" > "$dest/.stamp"
  log "$tag done in $(elapsed "$t0") s: $(tr '\n' ' ' < "$dest/timings")"
}

# ---------------------------------------------------------------- capture-run
capture_run_main() {
  local work t0 f
  need_tools "$run_kernel"
  [ -x "$capture_run" ] || fail "--capture-run $capture_run: not an executable"
  is_static "$capture_run" ||
    fail "--capture-run $capture_run is not statically linked"
  capture_run=$(cd "$(dirname "$capture_run")" && pwd)/$(basename "$capture_run")
  parse_tag "$run_kernel"
  [ "$scenario" = basic ] || fail "--kernel $run_kernel: a kernel, not a scenario"
  scenario_opts basic; extra=
  arch_opts
  stage_kernel "$kernel"
  work=$out/.work-capture-run
  rm -rf "$work"; mkdir -p "$work"
  kdump_cpios "$work" "$capture_run" "${run_args[@]}"
  t0=$(now)
  run_kdump "$work" run
  for f in run.stdout run.stderr run.status capture.report report kmsg; do
    [ -f "$work/out/$f" ] || fail "capture run: no $f"
    mv "$work/out/$f" "$out/$f"
  done
  mv "$work/console.log" "$out/console.log"
  rm -rf "$work"
  log "capture run on $krel done in $(elapsed "$t0") s, $(basename "$capture_run") exit status $(cat "$out/run.status")"
  return 0
}

# ---------------------------------------------------------------- main
main() {
  local tag todo=() t_all failed=0 out_lock
  parse_args "$@"
  # One run at a time per output folder (ctest -j, two build trees sharing one).
  exec {out_lock}>"$out/.lock"
  flock "$out_lock"
  if [ -n "$capture_run" ]; then capture_run_main; return; fi
  todo=()
  declare -A stamps=()
  for tag in $kernels; do
    # Computed before anything runs: an edit during the run makes the next run redo the tag.
    stamps[$tag]=$(stamp_of "$tag")
    if [ -f "$out/$tag/.stamp" ] && [ "$(cat "$out/$tag/.stamp")" = "${stamps[$tag]}" ]; then
      log "$tag: up to date"
    else
      todo+=("$tag")
    fi
  done
  [ ${#todo[@]} -gt 0 ] || return 0
  need_tools "${todo[@]}"
  t_all=$(now)
  log "making ${todo[*]} with $jobs jobs"
  declare -A pids=()
  failed=0
  for tag in "${todo[@]}"; do
    while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
    rm -f "$out/$tag/.stamp"
    mkdir -p "$out/.work"
    ( make_tag "$tag" "${stamps[$tag]}" ) > "$out/.work/$tag.log" 2>&1 &
    pids[$tag]=$!
  done
  for tag in "${todo[@]}"; do
    if wait "${pids[$tag]}"; then
      grep ' done in ' "$out/.work/$tag.log" >&2 || true
    else
      failed=1
      log "$tag FAILED; log follows"
      cat "$out/.work/$tag.log" >&2
    fi
  done
  [ "$failed" = 0 ] || return 1
  rm -rf "$out/.work"
  log "all done in $(elapsed "$t_all") s"
}

# All of the script is parsed before anything runs (editing it mid-run is then harmless).
main "$@"; exit $?
