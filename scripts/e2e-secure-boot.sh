#!/usr/bin/env bash
# End to end under real UEFI Secure Boot: does `vmcap arm` arm Debian's signed kernel when the
# kernel is locked down by Secure Boot? The chain is Debian 12's own: OVMF with Microsoft's
# keys enrolled and Secure Boot on (the host's ovmf: OVMF_CODE_4M.secboot.fd, a per-run copy
# of OVMF_VARS_4M.ms.fd) -> Debian's signed shim (shim-signed: shimx64.efi.signed, signed by
# Microsoft, Debian's CA built in) -> Debian's signed grub (grub-efi-amd64-signed:
# grubx64.efi.signed, monolithic, prefix /EFI/debian) -> Debian's signed 6.1 kernel of the
# system of scripts/debian-system-image.sh (vmcap from its package, vmcap-arm.service).
#
#   scripts/e2e-secure-boot.sh [--out DIR] [--image-dir DIR] [--cache DIR] [--plans "report crash"]
#                              [--crashkernel 192M] [--mem-mib 1024] [--timeout 1500]
#                              [--deb FILE] [--static-build DIR]
#
# The disk (a sparse GPT disk file, made without loop devices or mounts): partition 1 an ESP
# (FAT, 64 MiB, filled with mtools) holding EFI/BOOT/BOOTX64.EFI = shim, EFI/BOOT/grubx64.efi
# (shim loads it from its own directory) and grub.cfg (scripts/e2e/secure-boot/grub.cfg.in)
# in EFI/debian/ and EFI/BOOT/; partition 2 a copy of the system image, its /etc/fstab saying
# /dev/vda2, plus a diagnostic unit (scripts/e2e/secure-boot/vmcap-sb-keys.service: lockdown,
# the SecureBoot variable, /proc/keys, the kernel's integrity/keyring messages,
# kexec_crash_loaded on the console). Written with debugfs at the partition's offset.
#
# Plans (--plans, each on its own disk, in order; the test unit's vmcap_e2e= plans):
#   report   one boot: the console must show the chain (grub's line, "Secure boot enabled",
#            "Kernel is locked down from EFI Secure Boot mode"), then what vmcap-arm.service
#            did (its journal, exactly), the keyrings, and whether it armed. Then the
#            negative control (scripts/e2e/secure-boot/vmcap-sb-unsigned.service): `vmcap arm
#            --kernel` with the same kernel without its PE signature (strip-pe-signature.py)
#            must fail, and the machine stay armed with the signed one.
#   crash    only when report armed: boot 1 arms and crashes (sysrq-c); the capture kernel
#            writes the capture to /var/crash on the system's disk (the package's default
#            config) and reboots, through the firmware, shim and grub again; boot 2 lists
#            /var/crash and powers off. The host reads the capture from the disk (debugfs)
#            and checks it whole (scripts/e2e/check_manifest.py, the markers, the panic line).
# Downloads (deb.debian.org only, through apt lists of our own: the host's sources are
# untouched) cached in DIR (--cache, default build/secure-boot).
# Results (check_NAME=pass|fail, times, armed=yes|no, the arm error) in OUT/results;
# PASS/FAIL as the last line. Needs root, qemu-system-x86, ovmf, fdisk (sfdisk), mtools,
# dosfstools, e2fsprogs (debugfs), python3 (scripts/packages/qemu.txt), and what
# scripts/debian-system-image.sh needs.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$script_dir/.." && pwd)
sb_dir=$script_dir/e2e/secure-boot
out=$root/build/e2e-secure-boot
image_dir=$root/build/debian-system
cache=$root/build/secure-boot
plans="report crash"
crashkernel=192M
mem_mib=1024
run_timeout=1500
static_build=$root/build/static
deb=
archive=http://deb.debian.org/debian
ovmf_code=/usr/share/OVMF/OVMF_CODE_4M.secboot.fd
ovmf_vars=/usr/share/OVMF/OVMF_VARS_4M.ms.fd

usage() { sed -n '2,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --image-dir) image_dir=$2; shift 2 ;;
    --cache) cache=$2; shift 2 ;;
    --plans) plans=$2; shift 2 ;;
    --crashkernel) crashkernel=$2; shift 2 ;;
    --mem-mib) mem_mib=$2; shift 2 ;;
    --timeout) run_timeout=$2; shift 2 ;;
    --deb) deb=$(realpath "$2"); shift 2 ;;
    --static-build) static_build=$2; shift 2 ;;
    -h|--help) usage 0 ;;
    *) echo "e2e-secure-boot.sh: unknown option $1" >&2; usage 2 ;;
  esac
done

log() { echo "[e2e-secure-boot $(date +%T)] $*" >&2; }
fail() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

[ "$(id -u)" = 0 ] || fail "needs root (the image's files belong to root)"
for t in qemu-system-x86_64 sfdisk mkfs.vfat mcopy mmd debugfs python3 apt-get dpkg-deb timeout; do
  command -v "$t" >/dev/null || fail "$t missing (scripts/install-deps.sh qemu installs it)"
done
for f in "$ovmf_code" "$ovmf_vars"; do
  [ -f "$f" ] || fail "no $f (the ovmf package; scripts/install-deps.sh qemu installs it)"
done
for p in $plans; do case "$p" in report|crash) ;; *) fail "unknown plan $p (report, crash)" ;; esac; done
mkdir -p "$out" "$cache"; out=$(cd "$out" && pwd); cache=$(cd "$cache" && pwd)
: > "$out/results"
work=$out/run
rm -rf "$work"; mkdir -p "$work"

qemu_pid=
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  [ -z "$qemu_pid" ] || { kill "$qemu_pid" 2>/dev/null; wait "$qemu_pid" 2>/dev/null; }
  return 0
}
trap cleanup EXIT
. "$script_dir/e2e/system-checks.sh"  # check, has, boot_text, lines, check_log, check_poweroff


# ---------------------------------------------------------------- shim and grub (Debian's, signed)
# fetch_efi: $cache/efi/shimx64.efi and grubx64.efi from bookworm's shim-signed and
# grub-efi-amd64-signed (downloaded once; delete $cache/efi for the archive's newest).
fetch_efi() {
  local d=$cache/apt opts pkg f
  exec {lock}>"$cache/.lock"
  flock "$lock"
  if [ -f "$cache/efi/.ok" ]; then log "shim and grub: cached ($(cat "$cache/efi/.ok"))"; return; fi
  mkdir -p "$d/lists/partial" "$d/cache/archives/partial" "$cache/debs"
  echo "deb [trusted=yes] $archive bookworm main" > "$d/sources.list"
  opts=(-q -o "Dir::Etc::SourceList=$d/sources.list" -o Dir::Etc::SourceParts=/dev/null
        -o "Dir::State::Lists=$d/lists" -o "Dir::Cache=$d/cache" -o Dir::Cache::pkgcache=
        -o Dir::Cache::srcpkgcache= -o APT::Sandbox::User=root)
  apt-get "${opts[@]}" update > "$d/update.log" 2>&1 || { cat "$d/update.log" >&2; fail "apt-get update (bookworm) failed"; }
  rm -f "$cache"/debs/*.deb
  (cd "$cache/debs" && apt-get "${opts[@]}" download shim-signed grub-efi-amd64-signed > "$d/download.log" 2>&1) ||
    { cat "$d/download.log" >&2; fail "apt-get download shim-signed grub-efi-amd64-signed failed"; }
  rm -rf "$cache/x" "$cache/efi"; mkdir -p "$cache/x" "$cache/efi"
  for pkg in "$cache"/debs/*.deb; do dpkg-deb -x "$pkg" "$cache/x"; done
  cp "$cache/x/usr/lib/shim/shimx64.efi.signed" "$cache/efi/shimx64.efi" || fail "shim-signed has no shimx64.efi.signed"
  cp "$cache/x/usr/lib/grub/x86_64-efi-signed/grubx64.efi.signed" "$cache/efi/grubx64.efi" ||
    fail "grub-efi-amd64-signed has no grubx64.efi.signed"
  # Where the monolithic grub looks for grub.cfg: the prefix baked in (Debian's: /EFI/debian).
  grep -aq '/EFI/debian' "$cache/efi/grubx64.efi" ||
    log "warning: grubx64.efi does not hold the prefix /EFI/debian (grub.cfg goes in EFI/BOOT/ too)"
  rm -rf "$cache/x"
  # shellcheck disable=SC2012  # Debian package file names are plain
  (cd "$cache/debs" && ls ./*.deb | sed 's|^\./||' | tr '\n' ' ') > "$cache/efi/.ok"
  log "shim and grub: $(cat "$cache/efi/.ok")"
}

# ---------------------------------------------------------------- the GPT disk
esp_start=2048            # sectors (1 MiB)
esp_sectors=131072        # 64 MiB
root_start=$((esp_start + esp_sectors))
root_offset=$((root_start * 512))
# the ext4 partition of DISK, for debugfs (its unix I/O manager takes ?offset=)
part() { echo "$1?offset=$root_offset"; }
debugfs_w() { # DISK COMMANDS
  printf '%s\n' "$2" > "$work/debugfs.cmds"
  debugfs -w -f "$work/debugfs.cmds" "$(part "$1")" > "$work/debugfs.log" 2>&1 ||
    { cat "$work/debugfs.log" >&2; fail "debugfs on $1 failed"; }
}
write_file() { # DISK HOST_FILE PATH MODE
  debugfs_w "$1" "rm $3
write $2 $3
sif $3 uid 0
sif $3 gid 0
sif $3 mode 0100$4"
  debugfs -R "cat $3" "$(part "$1")" 2>/dev/null | cmp -s - "$2" || fail "$3 in $1 is not $2"
}
# make_disk DISK PLAN: the ESP with shim, grub and grub.cfg; the system on partition 2.
make_disk() {
  local disk=$1 plan=$2 esp=$work/esp.img image_bytes root_sectors total release
  release=$(cat "$image_dir/release")
  sed -e "s|@RELEASE@|$release|g" -e "s|@CRASHKERNEL@|$crashkernel|" -e "s|@PLAN@|$plan|" \
    "$sb_dir/grub.cfg.in" > "$work/grub.cfg"
  rm -f "$esp"
  mkfs.vfat -C -n VMCAP-ESP "$esp" $((esp_sectors / 2)) > "$work/mkfs.vfat.log" 2>&1 ||
    { cat "$work/mkfs.vfat.log" >&2; fail "mkfs.vfat failed"; }
  mmd -i "$esp" ::/EFI ::/EFI/BOOT ::/EFI/debian
  mcopy -i "$esp" "$cache/efi/shimx64.efi" ::/EFI/BOOT/BOOTX64.EFI
  mcopy -i "$esp" "$cache/efi/grubx64.efi" ::/EFI/BOOT/grubx64.efi
  mcopy -i "$esp" "$work/grub.cfg" ::/EFI/debian/grub.cfg
  mcopy -i "$esp" "$work/grub.cfg" ::/EFI/BOOT/grub.cfg
  rm -f "$disk"
  exec {ilock}>"$image_dir/.lock"
  flock "$ilock"   # no rebuild of the image while it is copied
  image_bytes=$(stat -c %s "$image_dir/image.raw")
  root_sectors=$((image_bytes / 512))
  total=$(( (root_start + root_sectors + 2048) * 512 ))
  truncate -s "$total" "$disk"
  sfdisk -q "$disk" > "$work/sfdisk.log" 2>&1 <<EOF || { cat "$work/sfdisk.log" >&2; fail "sfdisk failed"; }
label: gpt
start=$esp_start, size=$esp_sectors, type=C12A7328-F81F-11D2-BA4B-00A0C93EC93B, name="EFI system partition"
start=$root_start, size=$root_sectors, type=0FC63DAF-8483-4772-8E79-3D69D8477DE4, name="vmcap-root"
EOF
  dd if="$esp" of="$disk" bs=512 seek="$esp_start" conv=notrunc,sparse status=none
  dd if="$image_dir/image.raw" of="$disk" bs=1M seek=$((root_offset / 1048576)) conv=notrunc,sparse status=none
  flock -u "$ilock"; exec {ilock}>&-
  echo "/dev/vda2 / ext4 rw,errors=remount-ro 0 1" > "$work/fstab"
  write_file "$disk" "$work/fstab" /etc/fstab 644
  write_file "$disk" "$sb_dir/vmcap-sb-keys" /usr/local/lib/vmcap-e2e/vmcap-sb-keys 755
  write_file "$disk" "$sb_dir/vmcap-sb-keys.service" /etc/systemd/system/vmcap-sb-keys.service 644
  debugfs_w "$disk" "symlink /etc/systemd/system/multi-user.target.wants/vmcap-sb-keys.service /etc/systemd/system/vmcap-sb-keys.service"
  debugfs -R "stat /etc/systemd/system/multi-user.target.wants/vmcap-sb-keys.service" "$(part "$disk")" 2>/dev/null |
    grep -q 'Type: symlink' || fail "the diagnostic unit is not enabled in $disk"
  if [ "$plan" = report ]; then
    # The negative control: Debian's kernel without its signature, and the unit that tries it.
    python3 "$sb_dir/strip-pe-signature.py" "$image_dir/vmlinuz" "$work/vmlinuz-unsigned" > "$work/strip.log" 2>&1 ||
      { cat "$work/strip.log" >&2; fail "cannot remove the kernel's signature"; }
    write_file "$disk" "$work/vmlinuz-unsigned" /root/vmlinuz-unsigned 644
    write_file "$disk" "$sb_dir/vmcap-sb-unsigned" /usr/local/lib/vmcap-e2e/vmcap-sb-unsigned 755
    write_file "$disk" "$sb_dir/vmcap-sb-unsigned.service" /etc/systemd/system/vmcap-sb-unsigned.service 644
    debugfs_w "$disk" "symlink /etc/systemd/system/multi-user.target.wants/vmcap-sb-unsigned.service /etc/systemd/system/vmcap-sb-unsigned.service"
    rm -f "$work/vmlinuz-unsigned"
  fi
  sfdisk -d "$disk" > "$work/partitions.txt" 2>&1
  rm -f "$esp"
}

# ---------------------------------------------------------------- QEMU
declare -A seen=()
milestone() { # NAME PATTERN
  [ -z "${seen[$1]:-}" ] || return 0
  if grep -qaE "$2" "$console"; then seen[$1]=$(seconds "$t_start" "$(now)"); fi
}
# run_qemu DISK: boots the disk through the firmware until the guest powers off (or the
# timeout); console in $console (and $console_txt, cleaned), exit status in qemu_rc.
run_qemu() {
  local pid vars=$work/OVMF_VARS.fd
  cp "$ovmf_vars" "$vars"
  : > "$console"
  seen=()
  t_start=$(now)
  # shellcheck disable=SC2054  # the commas are QEMU's
  timeout "$run_timeout" qemu-system-x86_64 -accel tcg -machine q35,smm=on -smp 1 -m "${mem_mib}M" \
    -cpu "${VMCAP_E2E_CPU:-qemu64,+rdrand}" -nodefaults -display none \
    -global driver=cfi.pflash01,property=secure,value=on -global ICH9-LPC.disable_s3=1 \
    -drive "if=pflash,format=raw,unit=0,readonly=on,file=$ovmf_code" \
    -drive "if=pflash,format=raw,unit=1,file=$vars" \
    -drive "file=$1,format=raw,if=virtio,cache=unsafe" \
    -netdev user,id=net0 -device virtio-net-pci,netdev=net0 \
    -serial "file:$console" > "${console%.log}.qemu.log" 2>&1 &
  pid=$!; qemu_pid=$pid
  while kill -0 "$pid" 2>/dev/null; do
    milestone grub 'VMCAP-SB grub: booting'
    milestone kernel 'Linux version'
    milestone secure_boot 'Secure boot enabled'
    milestone boot1_report 'VMCAP-E2E boot=1 report'
    milestone panic 'sysrq: Trigger a crash'
    [ -z "${seen[panic]:-}" ] || milestone capture_reboot 'reboot: Restarting system'
    milestone boot2_report 'VMCAP-E2E boot=2 report'
    sleep 0.5
  done
  qemu_rc=0; wait "$pid" || qemu_rc=$?
  qemu_pid=
  seen[end]=$(seconds "$t_start" "$(now)")
  # Without carriage returns, escape sequences (OVMF, grub) and journald's prefix.
  sed -E -e 's/\r//g' -e 's/\x1b\[[0-9;?]*[A-Za-z]//g' \
      -e 's/^.*\[ *[0-9]+\.[0-9]+\] (vmcap-e2e|vmcap-sb-keys|vmcap-sb-unsigned)\[[0-9]+\]: //' "$console" > "${console%.log}.txt"
  console_txt=${console%.log}.txt
}
# sb_lines N NAME: the diagnostic unit's "[sb-NAME] ..." lines of boot N (the Nth "VMCAP-SB keys:" block).
sb_lines() { awk -v n="$1" -v p="[sb-$2] " '/^VMCAP-SB keys: /{k++} k==n && index($0, p) == 1 { print substr($0, length(p) + 1) }' "$console_txt"; }

# check_chain NAME: firmware -> shim -> grub -> kernel under Secure Boot, locked down.
check_chain() {
  local bad=() found
  grep -aq 'VMCAP-SB grub: booting' "$console_txt" || bad+=("grub's line never showed (shim did not start grub, or grub found no grub.cfg)")
  grep -aq 'Linux version' "$console_txt" || bad+=("no kernel started")
  grep -aq 'Secure boot enabled' "$console_txt" || bad+=("the kernel did not say 'Secure boot enabled'")
  grep -aq 'EFI stub: UEFI Secure Boot is enabled' "$console_txt" || bad+=("the EFI stub did not say 'UEFI Secure Boot is enabled'")
  grep -aq 'Kernel is locked down from EFI Secure Boot' "$console_txt" || bad+=("the kernel is not locked down by Secure Boot")
  found=$(grep -a -m9 -E 'VMCAP-SB grub|EFI stub|Linux version|Command line:|[Ss]ecure [Bb]oot|locked down' "$console_txt" | sed 's/^/    /')
  if ((${#bad[@]})); then check "$1" "OVMF (MS keys, Secure Boot) -> shim -> grub -> Debian's kernel, locked down" 1 "$(IFS=';'; echo "${bad[*]}")"$'\n'"$found"
  else check "$1" "OVMF (MS keys, Secure Boot) -> shim -> grub -> Debian's kernel, locked down" 0 $'\n'"$found"; fi
}
# arm_result N: prints vmcap-arm.service's state and journal of boot N; sets armed=yes|no.
arm_result() {
  local text
  text=$(boot_text "$1")
  armed=no
  if has "$text" "[arm-unit] ActiveState=active" && grep -qE '^\[arm-journal\] vmcap \[ *[0-9.]+s\] arm: armed: ' <<<"$text" &&
     [ "$(sb_lines "$1" kexec-crash-loaded | head -n 1)" = 1 ]; then
    armed=yes
  fi
}
check_report() { # NAME N: what vmcap arm said, the keyrings, whether it armed
  local name=$1 n=$2 text journal status keys
  text=$(boot_text "$n")
  [ -n "$text" ] || { check "$name" "boot $n reported" 1 "no 'VMCAP-E2E boot=$n' lines on the console"; armed=no; return; }
  journal=$(lines "$n" arm-journal)
  status=$(lines "$n" status)
  arm_result "$n"
  log "boot $n: vmcap-arm.service: $(lines "$n" arm-unit | tr '\n' ' ')"
  log "boot $n: vmcap-arm.service's journal:"$'\n'"$(sed 's/^/    /' <<<"$journal")"
  log "boot $n: vmcap status:"$'\n'"$(sed 's/^/    /' <<<"$status")"
  log "boot $n: lockdown: $(sb_lines "$n" lockdown | tr '\n' ' '); SecureBoot variable: $(sb_lines "$n" efivar-secureboot | tr '\n' ' '); kexec_crash_loaded=$(sb_lines "$n" kexec-crash-loaded | tr '\n' ' ')"
  # /proc/keys: the keyrings and the certificates (not the blacklisted hashes, 100 of them).
  keys=$(sb_lines "$n" proc-keys | awk '$8 == "keyring" && $9 ~ /^\./ || $8 == "asymmetri" { $1 = $2 = $3 = $4 = $5 = $6 = $7 = ""; sub(/^ +/, ""); print }')
  log "boot $n: keyrings and certificates (/proc/keys; $(sb_lines "$n" proc-keys | grep -c ' blacklist ' || true) blacklist entries not shown):"$'\n'"$(sed 's/^/    /' <<<"$keys")"
  log "boot $n: the kernel's integrity, keyring and lockdown messages:"$'\n'"$(sb_lines "$n" dmesg | grep -E 'integrity|X.509|[Ll]ockdown|locked down|[Ss]ecure boot|keyring|KEXEC' | sed 's/^/    /')"
  {
    echo "armed=$armed"
    echo "arm_exit=$(lines "$n" arm-unit | sed -n 's/^ExecMainStatus=//p')"
    echo "lockdown=$(sb_lines "$n" lockdown | head -n 1)"
    for k in .builtin_trusted_keys .secondary_trusted_keys .platform .machine; do
      echo "keyring$k=$(sed -n "s/^keyring \\$k: //p" <<<"$keys" | head -n 1)"
    done
    echo "efi_mok_variables=$(sb_lines "$n" efivar-mok | sed 's/-605dab50-e046-4300-abb6-3dd810dd8b23$//' | tr '\n' ' ')"
    grep -E 'arm: |load: |security: ' <<<"$journal" | sed 's/^/arm_said=/' || true
  } | sed "s/^/${name}_/" >> "$out/results"
  cp "$console_txt" "$out/$(basename "$console_txt")"
  if sb_lines "$n" dmesg | grep -q "Loading X.509 certificate: UEFI:MokListRT" &&
     sb_lines "$n" dmesg | grep -q "Loaded X.509 cert 'Debian Secure Boot CA" && [ -n "$keys" ]; then
    check "${name}_keys" "boot $n: the kernel took Debian's Secure Boot CA from shim's MokListRT" 0 \
      "keyrings: $(grep -E '^keyring \.(builtin_trusted_keys|secondary_trusted_keys|platform|machine):' <<<"$keys" | sed 's/^keyring //' | tr '\n' ' ')"
  else
    check "${name}_keys" "boot $n: the kernel took Debian's Secure Boot CA from shim's MokListRT" 1 \
      $'\n'"$(sb_lines "$n" dmesg | grep -E 'integrity|X.509' | sed 's/^/    /')"
  fi
  if [ "$armed" = yes ]; then
    check "$name" "boot $n: vmcap arm armed under Secure Boot (kexec_file_load, kexec_crash_loaded=1)" 0 \
      $'\n'"$(grep -E 'arm: |image: |load: ' <<<"$journal" | sed 's/^/    /')"
  else
    check "$name" "boot $n: vmcap arm armed under Secure Boot (kexec_file_load, kexec_crash_loaded=1)" 1 \
      $'\n'"$(sed 's/^/    /' <<<"$journal")"
  fi
}
# check_unsigned NAME: the negative control: vmcap arm with the kernel without its signature
# failed (the kernel refused it), and the machine stayed armed (the signed image loaded again).
check_unsigned() {
  local said rc after bad=()
  said=$(sed -n 's/^\[sb-unsigned\] //p' "$console_txt")
  rc=$(sed -n 's/^VMCAP-SB unsigned rc=//p' "$console_txt" | head -n 1)
  after=$(sed -n 's/^\[sb-unsigned-after\] //p' "$console_txt" | head -n 1)
  log "negative control: vmcap arm --kernel /root/vmlinuz-unsigned exited ${rc:-?}; it said:"$'\n'"$(sed 's/^/    /' <<<"$said")"
  log "negative control: afterwards $after; the kernel's messages:"$'\n'"$(sed -n 's/^\[sb-unsigned-dmesg\] /    /p' "$console_txt")"
  {
    echo "unsigned_exit=${rc:-}"
    echo "unsigned_after=${after:-}"
    sed -n "s/^\[sb-unsigned-dmesg\] .*\] \(kexec_file: .*\)/unsigned_kernel_said=\1/p" "$console_txt"
    grep -E ' (arm|load|lockdown|security): ' <<<"$said" | sed 's/^/unsigned_said=/' || true
  } >> "$out/results"
  [ -n "$rc" ] || bad+=("the negative control did not run")
  [ "${rc:-0}" != 0 ] || bad+=("vmcap arm accepted the unsigned kernel (exit 0)")
  ! grep -qE 'arm: armed: /root/vmlinuz-unsigned' <<<"$said" || bad+=("the unsigned kernel was loaded")
  grep -q 'load: the kernel found no valid signature on /root/vmlinuz-unsigned' <<<"$said" || bad+=("vmcap did not say the kernel found no valid signature")
  if ((${#bad[@]})); then check "${1}_refused" "an unsigned kernel is refused under Secure Boot" 1 "$(IFS=';'; echo "${bad[*]}")"
  else check "${1}_refused" "an unsigned kernel is refused under Secure Boot" 0 "exit $rc: $(grep -m1 'load: the kernel found no valid signature' <<<"$said")"; fi
  # docs/arming.md: after a refused load "the previous image is loaded again when there was one".
  if [ "$after" = kexec_crash_loaded=1 ]; then
    check "${1}_stays_armed" "after the refusal the previous (signed) image is loaded again" 0 "$after; $(grep -m1 'load: .*previous' <<<"$said" || true)"
  else
    check "${1}_stays_armed" "after the refusal the previous (signed) image is loaded again" 1 "$after; $(grep 'load: ' <<<"$said" | tail -n 1)"
  fi
}

plan_report() {
  local disk=$work/report.raw
  console=$work/report.log
  make_disk "$disk" report
  log "report: booting OVMF (Secure Boot, MS keys) -> shim -> grub -> $(cat "$image_dir/release") (TCG, ${mem_mib} MiB, crashkernel=$crashkernel; timeout $run_timeout s); console: $console"
  run_qemu "$disk"
  log "report: QEMU ended: exit $qemu_rc after ${seen[end]} s (grub at ${seen[grub]:-?} s, kernel at ${seen[kernel]:-?} s, reported at ${seen[boot1_report]:-?} s)"
  for k in grub kernel boot1_report end; do echo "report_${k}_s=${seen[$k]:-}" >> "$out/results"; done
  check_chain report_chain
  check_report report_armed 1
  check_unsigned report_unsigned
  check_poweroff report_poweroff
  report_armed=$armed
}

plan_crash() {
  local disk=$work/crash.raw cap listing name msg logmsg names entry
  console=$work/crash.log
  make_disk "$disk" crash
  log "crash: boot 1 arms and crashes, the capture kernel writes /var/crash and reboots (through shim and grub), boot 2 lists /var/crash; console: $console"
  run_qemu "$disk"
  log "crash: QEMU ended: exit $qemu_rc after ${seen[end]} s"
  for k in grub kernel boot1_report panic capture_reboot boot2_report end; do echo "crash_${k}_s=${seen[$k]:-}" >> "$out/results"; done
  check_chain crash_chain
  check_report crash_boot1 1
  if grep -aq "VMCAP-E2E boot=1 crashing: kexec_crash_loaded=1" "$console_txt" && grep -aq 'sysrq: Trigger a crash' "$console_txt"; then
    check crash_crashed "boot 1 crashed with the capture kernel loaded" 0 "$(grep -a -m1 'VMCAP-E2E boot=1 crashing' "$console_txt")"
  else
    check crash_crashed "boot 1 crashed with the capture kernel loaded" 1 "$(grep -a -m1 'VMCAP-E2E boot=1 crashing' "$console_txt" || echo 'no crashing line')"
  fi
  cap=$(sed -n '/sysrq: Trigger a crash/,/VMCAP-E2E boot=2 report/p' "$console_txt")
  if grep -aq 'reboot: Restarting system' <<<"$cap" && grep -aqE '^vmcap \[ *[0-9.]+s\] ' <<<"$cap"; then
    check crash_capture_reboot "the capture kernel ran vmcap and rebooted" 0 $'\n'"$(grep -a -E '^vmcap \[ *[0-9.]+s\] (init|disk|upload|core|done|final)|reboot: Restarting' <<<"$cap" | sed 's/^/    /')"
  else
    check crash_capture_reboot "the capture kernel ran vmcap and rebooted" 1 $'\n'"$(grep -a -E '^vmcap |reboot: |Kernel panic|Linux version' <<<"$cap" | head -n 30 | sed 's/^/    /')"
  fi
  if [ "$(grep -ac 'VMCAP-SB grub: booting' "$console_txt")" -ge 2 ]; then
    check crash_reboot_chain "the reboot went through the firmware, shim and grub again" 0 "$(grep -ac 'VMCAP-SB grub: booting' "$console_txt") grub lines"
  else
    check crash_reboot_chain "the reboot went through the firmware, shim and grub again" 1 "$(grep -ac 'VMCAP-SB grub: booting' "$console_txt") grub lines"
  fi
  local capture_lockdown=no
  grep -aq 'Kernel is locked down from EFI Secure Boot' <<<"$cap" && capture_lockdown=yes
  echo "capture_kernel_locked_down=$capture_lockdown" >> "$out/results"
  log "crash: the capture kernel (kexec'd, no firmware) locked down by Secure Boot: $capture_lockdown"
  local t2
  t2=$(boot_text 2)
  if has "$t2" "[arm-unit] ActiveState=active" && grep -qE '^\[arm-journal\] vmcap \[ *[0-9.]+s\] arm: armed: .*\(kexec_file_load\)' <<<"$t2" &&
     grep -qE '^\[arm-journal\] vmcap \[ *[0-9.]+s\] image: .*: up to date \(key ' <<<"$t2"; then
    check crash_boot2_armed "boot 2 (after the capture kernel's reboot) armed again from the cached image" 0 \
      "$(grep -E '^\[arm-journal\] vmcap \[ *[0-9.]+s\] arm: ' <<<"$t2" | sed 's/^\[arm-journal\] //')"
  else
    check crash_boot2_armed "boot 2 (after the capture kernel's reboot) armed again from the cached image" 1 \
      $'\n'"$(grep -E '^\[arm-(unit|journal)\] ' <<<"$t2" | sed 's/^/    /')"
  fi
  local var_crash
  var_crash=$(lines 2 var-crash)
  log "crash: boot 2's /var/crash:"$'\n'"$(sed 's/^/    /' <<<"$var_crash")"
  if grep -q 'manifest.json' <<<"$var_crash"; then
    check crash_boot2_listing "boot 2 lists a capture in /var/crash" 0 "$(grep -c 'manifest.json' <<<"$var_crash") manifest(s)"
  else
    check crash_boot2_listing "boot 2 lists a capture in /var/crash" 1 "$(head -n 5 <<<"$var_crash")"
  fi
  rm -rf "$work/var-crash"; mkdir -p "$work/var-crash"
  listing=$(debugfs -R "ls -p /var/crash" "$(part "$disk")" 2>/dev/null | awk -F/ '$6 != "." && $6 != ".." && $6 != "" {print $6}')
  # index/: the crash index (docs/index.md), beside the captures.
  mapfile -t names < <(sed '/^$/d' <<<"$listing" | grep -vx index || true)
  if [ "${#names[@]}" != 1 ]; then
    check crash_capture "one capture in /var/crash on the disk, whole" 1 "/var/crash holds: ${listing:-nothing}"
  else
    name=${names[0]}
    debugfs -R "rdump /var/crash/$name $work/var-crash" "$(part "$disk")" > /dev/null 2>&1
    debugfs -R "rdump /var/crash/index $work/var-crash" "$(part "$disk")" > /dev/null 2>&1
    entry=$(ls "$work/var-crash/index"/*/"$name.json" 2>/dev/null | head -n 1 || true)
    if [ -z "$entry" ]; then
      check crash_capture "one capture in /var/crash on the disk, whole" 1 "$name: no crash index entry index/*/$name.json"
    elif ! msg=$(python3 "$script_dir/e2e/check_manifest.py" "$work/var-crash/$name" 2>&1); then
      check crash_capture "one capture in /var/crash on the disk, whole" 1 "$name: $msg"
    elif ! logmsg=$(check_log "$work/var-crash/$name/dmesg.txt"); then
      check crash_capture "one capture in /var/crash on the disk, whole" 1 "$name: $msg; dmesg.txt: $logmsg"
    else
      check crash_capture "one capture in /var/crash on the disk, whole" 0 "$name: $msg; dmesg.txt: $logmsg; index entry ${entry#"$work/var-crash/"}"
    fi
  fi
  check_poweroff crash_poweroff
}

main() {
  local t0 deb_opt=() p
  t0=$(now)
  fetch_efi
  [ -z "$deb" ] || deb_opt=(--deb "$deb")
  "$script_dir/debian-system-image.sh" --dir "$image_dir" --static-build "$static_build" "${deb_opt[@]}" > /dev/null ||
    fail "debian-system-image.sh failed"
  log "the system image: $image_dir/image.raw ($(cat "$image_dir/release")), ready in $(seconds "$t0" "$(now)") s"
  report_armed=
  for p in $plans; do
    if [ "$p" = crash ] && [ "$report_armed" = no ]; then
      log "crash: skipped (vmcap arm did not arm under Secure Boot)"; echo "plan_crash=skipped" >> "$out/results"; continue
    fi
    local ts; ts=$(now)
    "plan_$p"
    echo "plan_${p}_s=$(seconds "$ts" "$(now)")" >> "$out/results"
  done
  echo "ok=$ok_all" >> "$out/results"
  if [ "$ok_all" = 1 ]; then
    rm -f "$work"/*.raw
    log "PASS ($(grep -c '=pass$' "$out/results") checks; plans: $plans; results: $out/results)"
  else
    log "FAIL: $(grep '=fail$' "$out/results" | sed 's/^check_//; s/=fail$//' | tr '\n' ' ')(consoles and disks in $work)"; return 1
  fi
}
main
