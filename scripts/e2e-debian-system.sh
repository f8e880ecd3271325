#!/usr/bin/env bash
# End to end on a real installed Debian 12 system with systemd: arm, crash, capture, reboot,
# re-arm. QEMU (TCG) boots the system of scripts/debian-system-image.sh (Debian's 6.1 kernel
# and its initramfs-tools initrd, root=/dev/vda, crashkernel=), WITHOUT -no-reboot, so the
# capture kernel's reboot is a warm reset into the same system:
#   boot 1  systemd starts vmcap-arm.service, which builds the capture image and arms; the
#           test unit (scripts/e2e/debian-system/vmcap-e2e.service) prints the unit's state,
#           its journal and `vmcap status` on the serial console, writes 11 marker records
#           to /dev/kmsg, syncs and crashes (sysrq-c);
#   capture the capture kernel (vmcap's image) uploads to nginx on the host and reboots;
#   boot 2  vmcap-arm.service arms again from the cached image ("up to date", nothing
#           built); the test unit reports again and powers off, which ends QEMU.
# Checked on the host, each printed with what was found: (1) boot 1 armed (unit active,
# image built, "armed: ... (kexec_file_load)", status "armed and current" exit 0); (2) the
# markers and the crash; (3) the upload (complete manifest, sizes and sha256, dmesg.txt holds
# the 11 markers and the panic line, the core's log through makedumpfile --dump-dmesg and
# vmcap dmesg equal to dmesg.txt) and the capture kernel's reboot; (4) boot 2 armed from the
# cached image (unit active, "up to date", no "built", status current, the same one image
# in /var/lib/vmcap/images); QEMU ended by the guest's power-off.
# (5) vmcap-rearm.service did not arm again during either boot: udev replays every device's
# "add" at boot (coldplug), and 98-vmcap-hotplug.rules must not take those for CPU hotplug
# (boot<N>_rearm_ran in the results; the guest's udevadm test of cpu0 is printed).
# Times (host clock, from QEMU's start): boot to armed (each boot), panic to the capture
# kernel's reboot, the whole loop; and the image's build time. Results in OUT/results.
#
#   scripts/e2e-debian-system.sh [--out DIR] [--image-dir DIR] [--crashkernel 192M]
#                                [--mem-mib 1024] [--timeout 900] [--compression zstd|zlib]
#                                [--chroot DIR] [--accel tcg|kvm] [--check-only]
#                                [--static-build DIR] [--vmcap BINARY]
#
# --static-build: the static build installed into the image (cmake --install; default
# build/static); --vmcap: the host's vmcap for check-config and the core's log (its vmcap.stripped).
# --accel kvm: where /dev/kvm works (on the development machine it did not: no console output).
# --check-only: checks the last run in OUT again (its console and upload), without booting.
#
# --compression: the capture's core (zstd, vmcap's default): its oracle is sid's makedumpfile
# 1.7.8 through scripts/makedumpfile-chroot.sh (--chroot DIR), zlib's Debian 12's makedumpfile.
# Needs root, and (scripts/packages/qemu.txt, upload.txt) qemu-system-x86, nginx-light,
# e2fsprogs (debugfs), makedumpfile, python3, mmdebstrap and network for the first image.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$script_dir/.." && pwd)
e2e_dir=$script_dir/e2e

out=$root/build/e2e-debian-system
image_dir=$root/build/debian-system
crashkernel=192M
mem_mib=1024
run_timeout=900
compression=zstd
chroot_dir=
accel=tcg
vmcap=$root/build/static/capture/cli/vmcap.stripped
check_only=0
static_build=$root/build/static

usage() { sed -n '2,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --image-dir) image_dir=$2; shift 2 ;;
    --crashkernel) crashkernel=$2; shift 2 ;;
    --mem-mib) mem_mib=$2; shift 2 ;;
    --timeout) run_timeout=$2; shift 2 ;;
    --compression) compression=$2; shift 2 ;;
    --chroot) chroot_dir=$2; shift 2 ;;
    --accel) accel=$2; shift 2 ;;
    --vmcap) vmcap=$2; shift 2 ;;
    --static-build) static_build=$2; shift 2 ;;
    --check-only) check_only=1; shift ;;
    -h|--help) usage 0 ;;
    *) echo "e2e-debian-system.sh: unknown option $1" >&2; usage 2 ;;
  esac
done

log() { echo "[e2e-debian-system $(date +%T)] $*" >&2; }
fail() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
seconds() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }

[ "$(id -u)" = 0 ] || fail "needs root (the image's files belong to root)"
for t in qemu-system-x86_64 nginx python3 debugfs makedumpfile timeout sha256sum; do
  command -v "$t" >/dev/null || fail "$t missing (scripts/install-deps.sh installs it)"
done
[ -x "$vmcap" ] || fail "no vmcap at $vmcap (scripts/build-static.sh builds it)"
mkdir -p "$out"; out=$(cd "$out" && pwd)
: > "$out/results"
work=$out/run

# ---------------------------------------------------------------- nginx on 127.0.0.1 (as scripts/e2e-kdump.sh)
. "$e2e_dir/servers.sh"  # free_port, wait_listening, start_nginx
qemu_pid=
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  [ -z "$qemu_pid" ] || { kill "$qemu_pid" 2>/dev/null; wait "$qemu_pid" 2>/dev/null; }
  [ -z "${nginx_pid:-}" ] || { kill "$nginx_pid" 2>/dev/null; wait "$nginx_pid" 2>/dev/null; }
  return 0
}
trap cleanup EXIT

# ---------------------------------------------------------------- the system's disk
# make_disk: a sparse copy of the cached image with the test's /etc/vmcap.conf (debugfs:
# no loop device, no mount).
make_disk() {
  local conf=$work/vmcap.conf text
  text=$(sed -e "s|@HOST@|e2e-debian|" -e "s|@PORT@|$http_port|" -e "s|@PATH@|debian|" \
           -e "s|@COMPRESSION@|$compression|" "$e2e_dir/vmcap.conf.in")
  # [network] names no modules: vmcap arm finds the NIC's drivers in sysfs.
  printf '%s\n' "${text//@NETWORK@/$'[network]\ninterface = auto'}" > "$conf"
  chmod 644 "$conf"
  "$vmcap" check-config "$conf" > "$work/check-config.log" 2>&1 ||
    { cat "$work/check-config.log" >&2; fail "the test's vmcap.conf does not pass check-config"; }
  cp --sparse=always "$image_dir/image.raw" "$work/disk.raw"
  printf 'rm /etc/vmcap.conf\nwrite %s /etc/vmcap.conf\nsif /etc/vmcap.conf uid 0\nsif /etc/vmcap.conf gid 0\n' \
    "$conf" > "$work/debugfs.cmds"
  debugfs -w -f "$work/debugfs.cmds" "$work/disk.raw" > "$work/debugfs.log" 2>&1 ||
    { cat "$work/debugfs.log" >&2; fail "debugfs could not write /etc/vmcap.conf"; }
  debugfs -R "cat /etc/vmcap.conf" "$work/disk.raw" 2>/dev/null | cmp -s - "$conf" ||
    fail "/etc/vmcap.conf in $work/disk.raw is not the test's"
}

# ---------------------------------------------------------------- the run
# Host times of the console's milestones, from QEMU's start.
declare -A seen=()
milestone() { # NAME PATTERN: records when PATTERN first shows on the console
  [ -z "${seen[$1]:-}" ] || return 0
  if grep -qE "$2" "$work/console.log"; then seen[$1]=$(seconds "$t_start" "$(now)"); fi
}
run_qemu() {
  local pid
  : > "$work/console.log"
  t_start=$(now)
  # shellcheck disable=SC2054  # the commas are QEMU's
  timeout "$run_timeout" qemu-system-x86_64 -accel "$accel" -smp 1 -m "${mem_mib}M" \
    -cpu "${VMCAP_E2E_CPU:-qemu64,+rdrand}" -nodefaults -display none \
    -kernel "$image_dir/vmlinuz" -initrd "$image_dir/initrd.img" \
    -append "root=/dev/vda console=ttyS0 crashkernel=$crashkernel" \
    -drive "file=$work/disk.raw,format=raw,if=virtio" \
    -netdev user,id=net0 -device virtio-net-pci,netdev=net0 \
    -serial "file:$work/console.log" > "$work/qemu.log" 2>&1 &
  pid=$!; qemu_pid=$pid
  while kill -0 "$pid" 2>/dev/null; do
    milestone boot1_report 'VMCAP-E2E boot=1 report'
    milestone panic 'sysrq: Trigger a crash'
    [ -z "${seen[panic]:-}" ] || milestone capture_reboot 'reboot: Restarting system'
    milestone boot2_report 'VMCAP-E2E boot=2 report'
    sleep 0.2
  done
  qemu_rc=0; wait "$pid" || qemu_rc=$?
  qemu_pid=
  seen[end]=$(seconds "$t_start" "$(now)")
}

# ---------------------------------------------------------------- checks
# normalize_console: WORK/console.txt, the console without carriage returns, the test unit's
# lines without the prefix journald's console forwarding gives them ("[  37.37] vmcap-e2e[235]: ").
normalize_console() {
  sed -E -e 's/\r$//' -e 's/^.*\[ *[0-9]+\.[0-9]+\] vmcap-e2e\[[0-9]+\]: //' "$work/console.log" > "$work/console.txt"
}
# boot_text N: the console lines of boot N's test unit.
boot_text() { grep -a "^\[[a-z0-9-]*\] \|^VMCAP-E2E boot=" "$work/console.txt" | awk -v b="VMCAP-E2E boot=$1 " '
  index($0, "VMCAP-E2E boot=") == 1 { on = (index($0, b) == 1) } on'; }
ok_all=1
check() { # NAME DESCRIPTION RESULT(0/1) FOUND
  if [ "$3" = 0 ]; then log "check $1 PASS: $2 -- $4"; else log "check $1 FAIL: $2 -- $4"; ok_all=0; fi
  echo "check_$1=$([ "$3" = 0 ] && echo pass || echo fail)" >> "$out/results"
}
has() { grep -qF -- "$2" <<<"$1"; }
# check_boot N WANT_IMAGE(built|up to date): the unit armed, status current.
check_boot() {
  local n=$1 want=$2 text bad=() found
  text=$(boot_text "$n")
  [ -n "$text" ] || { check "boot$n" "boot $n reported" 1 "no 'VMCAP-E2E boot=$n' lines on the console"; return; }
  has "$text" "[arm-unit] ActiveState=active" || bad+=("vmcap-arm.service not active")
  has "$text" "[arm-unit] Result=success" || bad+=("vmcap-arm.service result not success")
  grep -qE '^\[arm-journal\] vmcap \[ *[0-9.]+s\] arm: armed: ' <<<"$text" || bad+=("no 'arm: armed: ' in its journal")
  has "$text" "(kexec_file_load)" || bad+=("not loaded with kexec_file_load")
  if [ "$want" = built ]; then
    grep -qE '^\[arm-journal\] vmcap \[ *[0-9.]+s\] image: built /var/lib/vmcap/images/capture-' <<<"$text" ||
      bad+=("the journal does not say the image was built")
  else
    grep -qE '^\[arm-journal\] vmcap \[ *[0-9.]+s\] image: .*: up to date \(key ' <<<"$text" ||
      bad+=("the journal does not say the image was up to date")
    ! grep -qE '^\[arm-journal\] vmcap \[ *[0-9.]+s\] image: built ' <<<"$text" || bad+=("the image was built again")
  fi
  has "$text" "VMCAP-E2E boot=$n status rc=0" || bad+=("vmcap status exit $(grep -o "boot=$n status rc=[0-9]*" <<<"$text" || echo '?')")
  grep -qE '^\[status\] vmcap \[ *[0-9.]+s\] status: armed and current$' <<<"$text" || bad+=("status does not say 'armed and current'")
  found="$(grep -E -e '^\[arm-journal\] vmcap \[ *[0-9.]+s\] (image|arm): ' -e '^\[status\] vmcap \[ *[0-9.]+s\] status: ' \
           -e '^\[images\] -' -e '^VMCAP-E2E boot=[0-9]+ status rc=' <<<"$text" | sed 's/^/    /' || true)"
  local images
  images=$(grep -c '^\[images\] -' <<<"$text" || true)
  [ "$images" = 1 ] || bad+=("$images images in /var/lib/vmcap/images, want 1")
  printf -v "images_$n" '%s' "$(grep '^\[images\] -' <<<"$text" | awk '{print $NF}' || true)"
  if ((${#bad[@]})); then
    check "boot$n" "boot $n armed ($want)" 1 "$(IFS=';'; echo "${bad[*]}")"$'\n'"$found"
  else
    check "boot$n" "boot $n armed ($want)" 0 $'\n'"$found"
  fi
}

check_log() { # FILE: the 11 markers and the panic line
  local n
  n=$(grep -c 'vmcap-e2e marker' "$1" || true)
  [ "$n" = 11 ] || { echo "$n marker records, want 11"; return 1; }
  grep -q 'Kernel panic - not syncing: sysrq triggered crash' "$1" || { echo "no panic line"; return 1; }
  echo "11 markers and the panic line"
}

check_upload() {
  local dirs dir msg
  dirs=$(find "$upload_root/debian" -mindepth 2 -maxdepth 2 -name manifest.json 2>/dev/null | wc -l)
  [ "$dirs" = 1 ] || { check upload "one capture on the server" 1 "$dirs capture directories under upload/debian"; return; }
  dir=$(dirname "$(find "$upload_root/debian" -mindepth 2 -maxdepth 2 -name manifest.json)")
  msg=$(python3 "$e2e_dir/check_manifest.py" "$dir" 2>&1) || { check upload "the upload" 1 "$dir: $msg"; return; }
  local logmsg
  logmsg=$(check_log "$dir/dmesg.txt") || { check upload "the upload" 1 "dmesg.txt: $logmsg"; return; }
  # The core: restored (makedumpfile -R), its log through makedumpfile and vmcap, equal to dmesg.txt.
  rm -f "$work/core.kdump" "$work/core.makedumpfile-dmesg"
  "${makedumpfile[@]}" -R "$work/core.kdump" < "$dir/vmcore.flat" > "$work/restore.log" 2>&1 ||
    { check upload "the upload" 1 "makedumpfile -R failed: $(tail -n 3 "$work/restore.log")"; return; }
  "${makedumpfile[@]}" --dump-dmesg "$work/core.kdump" "$work/core.makedumpfile-dmesg" > "$work/dump-dmesg.log" 2>&1 ||
    { check upload "the upload" 1 "makedumpfile --dump-dmesg failed: $(tail -n 3 "$work/dump-dmesg.log")"; return; }
  sed -i -E 's/^(\[ *[0-9]+\.[0-9]+\]) \[ *[TC][0-9]+\]/\1/' "$work/core.makedumpfile-dmesg"
  "$vmcap" dmesg "$work/core.kdump" > "$work/core.vmcap-dmesg" 2> "$work/vmcap-dmesg.log" ||
    { check upload "the upload" 1 "vmcap dmesg failed on the restored core"; return; }
  cmp -s "$work/core.makedumpfile-dmesg" "$work/core.vmcap-dmesg" ||
    { check upload "the upload" 1 "makedumpfile --dump-dmesg and vmcap dmesg differ on the core"; return; }
  cmp -s "$dir/dmesg.txt" "$work/core.vmcap-dmesg" ||
    { check upload "the upload" 1 "the uploaded dmesg.txt differs from the core's log"; return; }
  rm -f "$work/core.kdump"
  check upload "the capture uploaded" 0 "$dir: $msg; dmesg.txt: $logmsg; the core's log ($makedumpfile_name, vmcap) equals dmesg.txt"
}

main() {
  local t0 image_s
  case "$compression" in
    zlib) makedumpfile=(makedumpfile); makedumpfile_name="Debian 12's makedumpfile" ;;
    zstd)
      local dir_opt=()
      [ -z "$chroot_dir" ] || dir_opt=(--dir "$chroot_dir")
      "$script_dir/makedumpfile-chroot.sh" setup "${dir_opt[@]}" > /dev/null 2>&1 ||
        fail "makedumpfile-chroot.sh setup failed (sid's makedumpfile, the zstd oracle)"
      makedumpfile=("$script_dir/makedumpfile-chroot.sh" run "${dir_opt[@]}" 1.7.8)
      makedumpfile_name="sid's makedumpfile 1.7.8" ;;
    *) fail "--compression $compression: zstd or zlib" ;;
  esac
  t0=$(now)
  [ "$check_only" = 1 ] ||
    "$script_dir/debian-system-image.sh" --dir "$image_dir" --static-build "$static_build" > /dev/null || fail "debian-system-image.sh failed"
  image_s=$(seconds "$t0" "$(now)")
  log "the system image: $image_dir/image.raw ($(cat "$image_dir/release")), ready in $image_s s"
  echo "image_ready_s=$image_s" >> "$out/results"
  if [ "$check_only" = 1 ]; then
    # The last run's console and upload, checked again (developing the checks).
    upload_root=$out/nginx/root/upload
    qemu_rc=$(sed -n 's/^qemu_rc=//p' "$work/run.env"); eval "$(grep '^seen_' "$work/run.env" | sed 's/^seen_\([a-z0-9_]*\)=/seen[\1]=/')"
  else
    rm -rf "$work"; mkdir -p "$work"
    start_nginx
    make_disk
    log "booting the system (QEMU $accel, ${mem_mib} MiB, crashkernel=$crashkernel; timeout $run_timeout s); console: $work/console.log"
    run_qemu
    log "QEMU ended: exit $qemu_rc after ${seen[end]} s"
    { echo "qemu_rc=$qemu_rc"; for k in "${!seen[@]}"; do echo "seen_$k=${seen[$k]}"; done; } > "$work/run.env"
  fi
  normalize_console

  check_boot 1 built
  local markers=0 crashed=1 found
  markers=$(grep -ac 'vmcap-e2e marker' "$work/console.txt" || true)
  if grep -aq 'VMCAP-E2E boot=1 crashing: kexec_crash_loaded=1' "$work/console.txt" &&
     grep -aq 'sysrq: Trigger a crash' "$work/console.txt"; then crashed=0; fi
  found="$(grep -a -m1 'VMCAP-E2E boot=1 crashing' "$work/console.txt" || echo 'no crashing line'); $(grep -a -m1 -o 'sysrq: Trigger a crash' "$work/console.txt" || echo 'no sysrq line'); $markers marker lines on the console"
  check crash "the markers written, the machine crashed with the capture kernel loaded" "$crashed" "$found"
  local rebooted=1 cap
  cap=$(sed -n '/sysrq: Trigger a crash/,/VMCAP-E2E boot=2 report/p' "$work/console.txt")
  if grep -aq 'reboot: Restarting system' <<<"$cap"; then rebooted=0; fi
  check capture_reboot "the capture kernel ran vmcap and rebooted (a warm reset)" "$rebooted" \
    "$(grep -a -E '^vmcap \[ *[0-9.]+s\] (init|upload|core: sent|done|final action)|reboot: Restarting' <<<"$cap" | sed 's/^/    /' | sed '1s/^/\n/')"
  check_upload
  check_boot 2 "up to date"
  # shellcheck disable=SC2154  # set by check_boot through eval
  if [ -n "${images_1:-}" ] && [ "${images_1:-}" = "${images_2:-}" ]; then
    check same_image "boot 2 loaded the image boot 1 built" 0 "$images_2"
  else
    check same_image "boot 2 loaded the image boot 1 built" 1 "boot 1: ${images_1:-none}, boot 2: ${images_2:-none}"
  fi
  local off=1
  if [ "$qemu_rc" = 0 ] && grep -aq 'reboot: Power down' "$work/console.txt"; then off=0; fi
  check poweroff "QEMU ended by the guest's power-off after boot 2" "$off" "QEMU exit $qemu_rc (124: the timeout)"
  # The coldplug at every boot replays each CPU's "add": the hotplug rule must not take it
  # for a hotplug and arm a second time.
  local n
  for n in 1 2; do
    rearm=$(boot_text "$n" | grep -E '^\[rearm-journal\] .*(Starting|arm: |image: )' | sed 's/^/    /' || true)
    echo "boot${n}_rearm_ran=$([ -n "$rearm" ] && echo yes || echo no)" >> "$out/results"
    if [ -z "$rearm" ]; then
      check "no_rearm_$n" "boot $n: udev's coldplug did not re-arm (vmcap-rearm.service did not run)" 0 ""
    else
      check "no_rearm_$n" "boot $n: udev's coldplug did not re-arm (vmcap-rearm.service did not run)" 1 \
        "$(boot_text "$n" | grep -m1 "^\[udev-cpu0\] " || true)"$'\n'"$rearm"
    fi
  done

  local b1_armed b2_armed
  b1_armed=$(grep -a -m1 '^\[arm-unit\] ExecMainExitTimestampMonotonic=' "$work/console.txt" | sed 's/.*=//' || true)
  b2_armed=$(grep -a '^\[arm-unit\] ExecMainExitTimestampMonotonic=' "$work/console.txt" | sed -n 2p | sed 's/.*=//' || true)
  {
    echo "boot1_armed_guest_s=$(awk -v u="${b1_armed:-0}" 'BEGIN { printf "%.1f", u / 1e6 }')"
    echo "boot2_armed_guest_s=$(awk -v u="${b2_armed:-0}" 'BEGIN { printf "%.1f", u / 1e6 }')"
    for k in boot1_report panic capture_reboot boot2_report end; do echo "host_${k}_s=${seen[$k]:-}"; done
    [ -z "${seen[panic]:-}" ] || [ -z "${seen[capture_reboot]:-}" ] ||
      echo "panic_to_reboot_s=$(awk -v a="${seen[panic]}" -v b="${seen[capture_reboot]}" 'BEGIN { printf "%.1f", b - a }')"
  } >> "$out/results"
  log "times (host clock from QEMU's start): boot 1 reported armed at ${seen[boot1_report]:-?} s" \
      "(vmcap-arm.service done ${b1_armed:+$(awk -v u="$b1_armed" 'BEGIN { printf "%.1f", u / 1e6 }') s after the kernel started}), crash at ${seen[panic]:-?} s," \
      "capture kernel's reboot at ${seen[capture_reboot]:-?} s, boot 2 reported armed at ${seen[boot2_report]:-?} s" \
      "(vmcap-arm.service done ${b2_armed:+$(awk -v u="$b2_armed" 'BEGIN { printf "%.1f", u / 1e6 }') s after its kernel started}), powered off at ${seen[end]} s;" \
      "panic->reboot $(sed -n 's/^panic_to_reboot_s=//p' "$out/results") s; image ready in $image_s s"
  echo "ok=$ok_all" >> "$out/results"
  if [ "$ok_all" = 1 ]; then
    rm -f "$work/disk.raw"  # 0.7 GB; kept when a check failed, to look into
    log "PASS"
  else
    log "FAIL (console: $work/console.log, the system's disk: $work/disk.raw)"; return 1
  fi
}
main
