#!/usr/bin/env bash
# Makes REAL pstore records: Debian's kernels, booted under QEMU (TCG), write the end of their
# log to a pstore backend at a panic; the next boot finds the records in /sys/fs/pstore. Test
# data for the pstore record parser (pstore/records/), kept in build/ (never committed).
#
#   scripts/make-pstore-records.sh [--out DIR] [--kernels "6.1 6.12"] [--backends "ramoops efi erst"]
#                                  [--jobs N] [--force]
#
# Backends: ramoops, efi, erst (default all three); kernels: those of scripts/debian-kernel.sh
# (5.10, 6.1, 6.12, 6.1-cloud; default "6.1 6.12"). --jobs: cases run at once (default nproc).
# DIR defaults to <repo>/build/pstore-records. One subfolder per kernel and backend,
# DIR/<kernel>-<backend>/:
#   dmesg-*         the files of /sys/fs/pstore after the reboot, with their names and mtimes
#                   (nanoseconds kept: the guest copies them with GNU tar in pax format, the host
#                   with cp -p)
#   ls.txt          `ls -l --time-style=full-iso /sys/fs/pstore` in the guest (GNU ls)
#   kmsg.txt        the guest's own /dev/kmsg view (GNU dd bs=64k iflag=nonblock, to EAGAIN),
#                   taken after the marker records were written, just before `echo c >
#                   /proc/sysrq-trigger`: the dump holds these records, then the sysrq and
#                   panic lines
#   console.log     serial console of both boots (one QEMU process; OVMF's own output too)
#   nodecomp/       the same records as a third boot with `pstore.compress=none` (a new QEMU
#                   process) shows them: the kernel cannot inflate, so each compressed record is
#                   `<name>.enc.z`, its bytes as stored (raw deflate; inflates to the file of the
#                   same name above, checked by hand for every case), the plain ones as above;
#                   with its ls.txt and console.log
#   meta.txt        key=value: kernel (package, release, version), backend, the guest's command
#                   line, the ramoops module parameters, the QEMU commands, pstore's parameters
#                   in the guest; summary: pstore_files, dmesg_files, enc_z_files,
#                   dmesg_headers (in id order), console_crypto_comp_compress_failed, the same for
#                   nodecomp_, seconds
#   .key            cache key: sha256 of this script and scripts/pstore/* (comment lines left
#                   out), scripts/guest/lib.sh, the kernel package (name and version), the
#                   parameters, QEMU's and (efi) OVMF's package versions. A case is remade only
#                   when its key changes (--force: always).
#
# Flow of a case (scripts/pstore/init is the guest's /init, busybox): one QEMU process, 1 vCPU,
# 512 MiB, no -no-reboot, a 16 MiB virtio disk the guest writes raw. First boot: load the
# backend, mount pstore, printk_devkmsg=on; 320 lines of hexadecimal fill (deflates to about
# 45 %) with a checkpoint marker every 40 lines, and 30 lines of noise (a 64-letter alphabet:
# deflates to about 80 %) 40 fill lines before the end; then 40 marker records; save kmsg.txt to
# the disk; sysrq-c with panic=1. The kernel's kmsg dumper writes the records, the guest resets
# itself; QEMU keeps guest RAM across the reset (ramoops), the OVMF vars file (efi) and the ERST
# backing file (erst). The second boot sees the flag on the disk, copies /sys/fs/pstore to the
# disk and powers off. Then the nodecomp boot (-no-reboot), same disk, RAM, vars or ERST file.
# The noise is there on purpose: a part of the dump holding it does not deflate to the kernel's
# budget, so it is stored plain and cut: 6.1 prints "crypto_comp_compress failed, ret = -22!" and
# keeps the header and the END of the part's text (the part starts mid-line, ~790 bytes of log
# lost before it); 6.12 says nothing and keeps the header and the BEGINNING (the part ends
# mid-line, ~560 bytes lost after it). Such parts are plain in nodecomp/ too (no .enc.z).
#
# Backends:
#   ramoops  SeaBIOS; `memmap=1M$0x1f000000` on the command line and the module loaded as
#            `insmod ramoops.ko mem_address=0x1f000000 mem_size=0x100000 record_size=0x10000
#            console_size=0x10000` (busybox insmod does not read /proc/cmdline: ramoops.*= on
#            the command line would be ignored). Guest RAM is a memory-backend-file (share=on)
#            in the work folder, only so that the nodecomp boot, a new QEMU process, finds the
#            zones; the records themselves come through the guest's own reset.
#   efi      OVMF (package ovmf: OVMF_CODE_4M.fd read-only, a per-case copy of OVMF_VARS_4M.fd
#            as the second pflash), `insmod efi-pstore.ko`, default efi_pstore.record_size (1 KiB).
#   erst     SeaBIOS with QEMU's `-device acpi-erst,memdev=erst` over a 64 KiB
#            memory-backend-file (share=on; record_size 8192, QEMU 7.2's default).
#
# ERST: WORKS with Debian's 6.1.0-50 (6.1.176) and 6.12.95 under QEMU 7.2. Both configs have
# CONFIG_ACPI_APEI=y; erst.c is built into apei.o with it (there is no CONFIG_ACPI_APEI_ERST
# option; CONFIG_ACPI_APEI_ERST_DEBUG, the /dev/erst_dbg module, is off and not needed). The
# kernel finds QEMU's ERST table ("ACPI: ERST 0x000000001FFE19F5 000390 (v01 BOCHS BXPC ...)"),
# says "ERST: Error Record Serialization Table (ERST) support is initialized." and "pstore:
# Registered erst as persistent store backend" at boot (device_initcall: no module, no
# parameter). A panic writes 2 parts, `dmesg-erst-<id>` with consecutive ids: (the panic's time
# in seconds << 32) + 1, + 2 (7716400190306910209, ...210); about 17.7 KB of text a part on 6.1
# and 13.3 KB on 6.12; mtimes in whole seconds; nothing plain (a part's 8 KiB budget holds the
# noise). Space: the 64 KiB backing file has 8 slots of 8 KiB.
#
# What was seen (2-core machine, TCG, --jobs 1; seconds for the whole case, i.e. the two boots
# of one QEMU process + the nodecomp boot: 10-18 s + 5-9 s):
#   6.1-ramoops   19.5 s  dmesg-ramoops-0: one part, 67 KB, the whole log from 0.000000 (the
#                         64 KiB zone holds it deflated); mtime with microseconds
#   6.12-ramoops  15.5 s  the same
#   6.1-efi       27.9 s  13 parts dmesg-efi-<id>, 1.0-1.8 KB each (about 20 KB of log); 2 or 3
#                         parts plain (1024 bytes) and as many "crypto_comp_compress failed"
#   6.12-efi      24.7 s  14 or 15 parts dmesg-efi_pstore-<id>, 0.8-1.7 KB (a part is short
#                         when the next record, the 900-byte marker, does not fit); 2 plain
#                         (1024 bytes), nothing on the console
#   6.1-erst      18.5 s  2 parts; 6.12-erst 19.6 s, 2 parts
# With the default --jobs (2 cases at once on 2 cores) a case takes 25-57 s, all six 130 s;
# 1.8 MB in DIR.
#   5.10 (one run, not in the defaults): all three work the same way (backend name "efi");
#                         EFI 14 parts, 2 plain; ERST's Part1 plain (compress failed), Part2 deflated
# No .enc.z outside nodecomp/: the kernels inflate every record they compressed. EFI ids are
# (seconds * 100 + part) * 1000 + count: the parts of one dump carried two seconds values in 4 of
# 10 EFI runs here (the dump spans a second boundary).
#
# Needs (scripts/packages/qemu.txt): qemu-system-x86, ovmf (efi), busybox-static, cpio, kmod,
# xz-utils, zstd, coreutils, tar; the kernels come from scripts/debian-kernel.sh (deb.debian.org,
# cached in build/test-vmcores/.cache with make-test-vmcore.sh's).
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$script_dir/.." && pwd)
self=$script_dir/$(basename "${BASH_SOURCE[0]}")
pstore_dir=$script_dir/pstore
guest_lib=$script_dir/guest/lib.sh

out=$root/build/pstore-records
kernels="6.1 6.12"
backends="ramoops efi erst"
jobs=$(nproc)
force=0

mem=512M
fill=320
noise=30
case_timeout=900
ovmf_code=/usr/share/OVMF/OVMF_CODE_4M.fd
ovmf_vars=/usr/share/OVMF/OVMF_VARS_4M.fd
ramoops_addr=0x1f000000   # in a 512 MiB guest: RAM up to 0x1ffdffff under SeaBIOS
ramoops_args="mem_address=$ramoops_addr mem_size=0x100000 record_size=0x10000 console_size=0x10000"
erst_size=0x10000

usage() { sed -n '2,10p' "$self" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --kernels) kernels=$2; shift 2 ;;
    --backends) backends=$2; shift 2 ;;
    --jobs) jobs=$2; shift 2 ;;
    --force) force=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "make-pstore-records.sh: unknown option $1" >&2; usage 2 ;;
  esac
done

log() { echo "[make-pstore-records $(date +%T)] $*" >&2; }
fail() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

is_static() { case "$(LC_ALL=C ldd "$1" 2>&1 || true)" in *"not a dynamic"*|*"statically linked"*) return 0 ;; esac; return 1; }
need_tools() {
  local t missing=
  for t in qemu-system-x86_64 cpio modprobe xz zstd tar dd ls flock sha256sum timeout ldd dpkg-query; do
    command -v "$t" >/dev/null || missing="$missing $t"
  done
  [ -z "$missing" ] || fail "missing tools:$missing (scripts/install-deps.sh qemu)"
  case " $backends " in
    *" efi "*) if [ ! -f "$ovmf_code" ] || [ ! -f "$ovmf_vars" ]; then
                 fail "no $ovmf_code / $ovmf_vars (package ovmf: scripts/install-deps.sh qemu)"
               fi ;;
  esac
  busybox=
  for t in /bin/busybox /usr/bin/busybox; do
    if [ -x "$t" ] && is_static "$t"; then busybox=$t; break; fi
  done
  [ -n "$busybox" ] || fail "no static busybox (Debian package busybox-static)"
}
pkg_version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo none; }

# ---------------------------------------------------------------- the guest's initramfs
make_cpio() { (cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet --reproducible) > "$2"; }

# add_binary DIR PATH NAME: a dynamically linked host program as DIR/gnu/NAME, with its libraries.
add_binary() {
  local dir=$1 bin=$2 name=$3 lib
  mkdir -p "$dir/gnu"
  cp -L "$bin" "$dir/gnu/$name"
  for lib in $(ldd "$bin" | awk '/=> \// {print $3} /^\t\// {print $1}'); do
    mkdir -p "$dir$(dirname "$lib")"
    cp -L "$lib" "$dir$lib"
  done
}

# add_modules DIR LIST MODULES...: the modules with their dependencies, decompressed (busybox
# insmod reads neither .ko.xz nor .ko.zst), their file names in load order in DIR/lib/vmcap/LIST.
add_modules() {
  local dir=$1 list=$2 m f; shift 2
  : > "$dir/lib/vmcap/$list"
  for m in "$@"; do
    modprobe -d "$kroot" -S "$krel" --show-depends "$m" | awk '$1 == "insmod" {print $2}'
  done | awk '!seen[$0]++' | while read -r f; do
    case "$f" in
      *.ko.xz) xz -dc "$f" > "$dir/lib/vmcap/ko/$(basename "$f" .xz)" ;;
      *.ko.zst) zstd -qdc "$f" > "$dir/lib/vmcap/ko/$(basename "$f" .zst)" ;;
      *) cp "$f" "$dir/lib/vmcap/ko/" ;;
    esac
    f=$(basename "$f"); echo "${f%.ko*}.ko" >> "$dir/lib/vmcap/$list"
  done
}

# guest_tree DIR BACKEND
guest_tree() {
  local dir=$1 backend=$2
  rm -rf "$dir"
  mkdir -p "$dir"/{bin,sbin,dev,proc,sys,tmp,etc,lib/vmcap/ko}
  cp "$busybox" "$dir/bin/busybox"
  ln -s busybox "$dir/bin/sh"
  install -m 755 "$pstore_dir/init" "$dir/init"
  cp "$guest_lib" "$dir/lib/vmcap/lib.sh"
  # GNU ls prints owner names from these (glibc's files NSS is in libc.so.6).
  echo 'root:x:0:0:root:/root:/bin/sh' > "$dir/etc/passwd"
  echo 'root:x:0:' > "$dir/etc/group"
  add_binary "$dir" "$(command -v dd)" dd
  add_binary "$dir" "$(command -v ls)" ls
  add_binary "$dir" "$(command -v tar)" tar
  add_modules "$dir" modules virtio_pci virtio_blk
  case "$backend" in
    ramoops) add_modules "$dir" pstore-modules ramoops
             echo "$ramoops_args" > "$dir/lib/vmcap/pstore-args" ;;
    efi) add_modules "$dir" pstore-modules efi_pstore ;;
    erst) : > "$dir/lib/vmcap/pstore-modules" ;;
    *) fail "unknown backend $backend (known: ramoops efi erst)" ;;
  esac
}

# ---------------------------------------------------------------- one case
# case_params BACKEND: sets append (the kernel command line) and qextra (QEMU options) for WORK.
case_params() {
  local backend=$1 work=$2
  append="console=ttyS0 panic=1 vmcap.backend=$backend vmcap.fill=$fill vmcap.noise=$noise"
  qextra=()
  # shellcheck disable=SC2054  # the commas are QEMU's
  case "$backend" in
    # Guest RAM in a file: the nodecomp boot, a new QEMU process, finds the ramoops zones too.
    ramoops) append="$append memmap=1M\$$ramoops_addr"
             qextra=(-machine memory-backend=ram
                     -object "memory-backend-file,id=ram,size=$mem,mem-path=$work/ram,share=on") ;;
    efi) qextra=(-drive "if=pflash,format=raw,readonly=on,file=$ovmf_code"
                 -drive "if=pflash,format=raw,file=$work/OVMF_VARS_4M.fd") ;;
    erst) qextra=(-object "memory-backend-file,id=erst,mem-path=$work/erst.backing,size=$erst_size,share=on"
                  -device acpi-erst,memdev=erst) ;;
  esac
}

key_of() { # KERNEL BACKEND KROOT
  {
    sed '/^[[:space:]]*#/d' "$self" "$pstore_dir"/*
    cat "$guest_lib"
    echo "kernel=$1 package=$(basename "$3") backend=$2 mem=$mem fill=$fill noise=$noise"
    echo "ramoops_args=$ramoops_args ramoops_addr=$ramoops_addr erst_size=$erst_size"
    echo "qemu=$(pkg_version qemu-system-x86)"
    [ "$2" != efi ] || echo "ovmf=$(pkg_version ovmf)"
  } | sha256sum | cut -d' ' -f1
}

# extract_region DISK OFFSET_MIB DIR: the tar stream the guest wrote at that offset.
extract_region() {
  mkdir -p "$3"
  { dd if="$1" bs=1M skip="$2" count=4 status=none 2>/dev/null || true; } | tar -x -C "$3" ||
    fail "no tar stream at $2 MiB of $1"
}

kv() { sed -n "s/^$2=//p" "$1" | head -n 1; }

# boot_qemu NAME LOG WANT APPEND [QEMU OPTIONS...]: runs QEMU (sets qcmd) until it exits; fails
# unless the console LOG then holds WANT. A failing guest says VMCAP-FAILED and reboots (lib.sh's
# die): it is stopped then, or it would crash again.
boot_qemu() {
  local name=$1 console=$2 want=$3 append=$4 pid rc=0; shift 4
  # shellcheck disable=SC2054  # the commas are QEMU's
  qcmd=(qemu-system-x86_64 -accel tcg -smp 1 -m "$mem" -nodefaults -display none
        "${qextra[@]}" "$@" -kernel "$kroot/boot/vmlinuz-$krel" -initrd "$work/init.cpio"
        -append "$append" -serial "file:$console"
        -drive "file=$work/disk.raw,format=raw,if=virtio")
  timeout "$case_timeout" "${qcmd[@]}" > "$console.qemu" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    if grep -q VMCAP-FAILED "$console" 2>/dev/null; then
      sleep 1; kill "$pid" 2>/dev/null || true; break
    fi
    sleep 1
  done
  wait "$pid" || rc=$?
  if [ "$rc" != 0 ] || ! grep -q "$want" "$console"; then
    tail -n 40 "$console" "$console.qemu" >&2 || true
    fail "$name: no $want on the console (qemu exit $rc; work kept in $work)"
  fi
}

# summary DIR PREFIX: key=value lines about the pstore files in DIR.
summary() {
  local dir=$1 p=$2 f all=() dmesg=() encz=() headers=()
  for f in "$dir"/*; do
    [ -f "$f" ] || continue
    f=${f##*/}
    all+=("$f")
    case "$f" in dmesg-*) dmesg+=("$f") ;; esac
    case "$f" in *.enc.z) encz+=("$f") ;; esac
  done
  # The header line of each readable dmesg file, in the order of their ids.
  while read -r f; do
    [ -n "$f" ] || continue
    headers+=("$(head -c 64 "$dir/$f" | head -n 1 | tr -d '\0' | grep -a -o '^[A-Za-z]*#[0-9]* Part[0-9]*' || echo '?')")
  done < <(printf '%s\n' "${dmesg[@]}" | grep -v '\.enc\.z$' | sort -t- -k3 -n)
  echo "${p}pstore_files=${all[*]}"
  echo "${p}dmesg_files=${#dmesg[@]}"
  echo "${p}enc_z_files=${encz[*]}"
  echo "${p}dmesg_headers=$(IFS=,; echo "${headers[*]}")"
}

run_case() { # KERNEL BACKEND KROOT KEY
  local kver=$1 backend=$2 key=$4 name=$1-$2 dest t0 t1 t2 boot1 boot3 dmesg
  kroot=$3
  krel=$(ls "$kroot/lib/modules")
  work=$out/.work/$name
  dest=$out/$name
  t0=$(now)
  rm -rf "$work"; mkdir -p "$work"
  guest_tree "$work/tree" "$backend"
  make_cpio "$work/tree" "$work/init.cpio"
  truncate -s 16M "$work/disk.raw"
  [ "$backend" != efi ] || cp "$ovmf_vars" "$work/OVMF_VARS_4M.fd"
  [ "$backend" != erst ] || truncate -s "$((erst_size))" "$work/erst.backing"
  case_params "$backend" "$work"
  log "$name: booting $krel"
  # Both boots in one QEMU process, no -no-reboot: the panic resets the guest (panic=1).
  t1=$(now)
  boot_qemu "$name" "$work/console.log" VMCAP-PSTORE-SAVED "$append"
  boot1=("${qcmd[@]}")
  t2=$(now)
  # The nodecomp boot: a new QEMU process, its own console, -no-reboot (nothing to reset for).
  boot_qemu "$name nodecomp" "$work/console-nodecomp.log" VMCAP-PSTORE-NODECOMP-SAVED \
    "$append pstore.compress=none vmcap.stage=nodecomp" -no-reboot
  boot3=("${qcmd[@]}")
  extract_region "$work/disk.raw" 1 "$work/boot1"
  extract_region "$work/disk.raw" 8 "$work/boot2"
  extract_region "$work/disk.raw" 12 "$work/boot3"
  rm -rf "$dest"; mkdir -p "$dest/nodecomp"
  # The guest's copies keep names and mtimes (pax); cp -p keeps them here.
  if [ -n "$(ls "$work/boot2/pstore")" ]; then cp -p -- "$work/boot2/pstore"/* "$dest/"; fi
  if [ -n "$(ls "$work/boot3/pstore")" ]; then cp -p -- "$work/boot3/pstore"/* "$dest/nodecomp/"; fi
  cp "$work/boot2/ls.txt" "$work/boot1/kmsg.txt" "$work/console.log" "$dest/"
  cp "$work/boot3/ls.txt" "$dest/nodecomp/"
  cp "$work/console-nodecomp.log" "$dest/nodecomp/console.log"
  {
    echo "kernel=$kver"
    echo "kernel_package=$(basename "$kroot")"
    echo "kernel_release=$(kv "$work/boot1/boot1.txt" kernel_release)"
    echo "kernel_version=$(kv "$work/boot1/boot1.txt" kernel_version)"
    echo "backend=$backend"
    echo "cmdline=$(kv "$work/boot1/boot1.txt" cmdline)"
    echo "insmod_args=$(kv "$work/boot1/boot1.txt" insmod_args)"
    echo "registered=$(kv "$work/boot1/boot1.txt" registered)"
    echo "qemu_command=$(printf '%q ' "${boot1[@]}" | sed 's/ $//')"
    echo "qemu_package=$(pkg_version qemu-system-x86)"
    [ "$backend" != efi ] || echo "ovmf_package=$(pkg_version ovmf)"
    grep -E '^(param_|fill_lines|noise_lines|marker_records|kmsg_)' "$work/boot1/boot1.txt"
    summary "$work/boot2/pstore" ""
    echo "console_crypto_comp_compress_failed=$(grep -a -c 'crypto_comp_compress failed' "$work/console.log" || true)"
    echo "seconds_both_boots=$(awk -v a="$t1" -v b="$t2" 'BEGIN { printf "%.1f", b - a }')"
    echo "nodecomp_cmdline=$(kv "$work/boot3/boot.txt" cmdline)"
    echo "nodecomp_qemu_command=$(printf '%q ' "${boot3[@]}" | sed 's/ $//')"
    summary "$work/boot3/pstore" nodecomp_
    echo "nodecomp_console_no_decompression=$(grep -a -c 'no decompression method initialized' "$work/console-nodecomp.log" || true)"
    echo "seconds_nodecomp_boot=$(elapsed "$t2")"
    echo "seconds_case=$(elapsed "$t0")"
  } > "$dest/meta.txt"
  dmesg=$(kv "$dest/meta.txt" dmesg_files)
  if [ "$dmesg" = 0 ]; then
    rm -rf "$dest"
    fail "$name: no dmesg-* record after the reboot (work kept in $work)"
  fi
  echo "$key" > "$dest/.key"
  rm -rf "$work"
  log "$name done in $(kv "$dest/meta.txt" seconds_case) s: $(grep -E '^(dmesg_files|enc_z_files|dmesg_headers|console_crypto|nodecomp_enc_z_files)=' "$dest/meta.txt" | tr '\n' ' ')"
}

# ---------------------------------------------------------------- main
mkdir -p "$out"
out=$(cd "$out" && pwd)
exec {out_lock}>"$out/.lock"
flock "$out_lock"
declare -A kroots=()
for k in $kernels; do
  kroots[$k]=$("$script_dir/debian-kernel.sh" "$k") || fail "cannot get Debian's $k kernel"
done
todo=()
declare -A keys=()
for k in $kernels; do
  for b in $backends; do
    case "$b" in ramoops|efi|erst) ;; *) fail "unknown backend $b (known: ramoops efi erst)" ;; esac
    keys[$k-$b]=$(key_of "$k" "$b" "${kroots[$k]}")
    if [ "$force" = 0 ] && [ "$(cat "$out/$k-$b/.key" 2>/dev/null)" = "${keys[$k-$b]}" ]; then
      log "$k-$b: up to date"
    else
      todo+=("$k-$b")
    fi
  done
done
[ ${#todo[@]} -gt 0 ] || exit 0
need_tools
t_all=$(now)
mkdir -p "$out/.work"
declare -A pids=()
for c in "${todo[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  rm -f "$out/$c/.key"
  k=${c%-*}; b=${c##*-}
  ( run_case "$k" "$b" "${kroots[$k]}" "${keys[$c]}" ) > "$out/.work/$c.log" 2>&1 &
  pids[$c]=$!
done
failed=0
for c in "${todo[@]}"; do
  if wait "${pids[$c]}"; then
    grep ' done in ' "$out/.work/$c.log" >&2 || true
    rm -f "$out/.work/$c.log"
  else
    failed=1
    log "$c FAILED; log follows"
    cat "$out/.work/$c.log" >&2
  fi
done
[ "$failed" = 0 ] || exit 1
rmdir "$out/.work" 2>/dev/null || true
log "all done in $(elapsed "$t_all") s"
