#!/usr/bin/env bash
# End to end on a real installed Debian 12 system with systemd, vmcap installed from its
# package (apt-get install ./vmcap_*.deb): arm, crash, capture, reboot, re-arm, and what an
# operator meets around them. QEMU (TCG) boots the system of scripts/debian-system-image.sh
# (Debian's 6.1 kernel and its initramfs-tools initrd, root=/dev/vda), WITHOUT -no-reboot,
# so a capture kernel's reboot is a warm reset into the same system. The test unit
# (scripts/e2e/debian-system/vmcap-e2e.service) reports on the serial console how
# vmcap-arm.service armed the machine (its state and journal, `vmcap status`, the cached
# images), then does the plan the kernel command line gives it (vmcap_e2e=).
#
# Scenarios (--scenarios, default all, in this order), each on its own copy of the image:
#   loop            crashkernel=192M, the test's /etc/vmcap.conf (nginx on the host):
#                   boot 1 arms (image built), writes 11 markers, crashes (sysrq-c); the
#                   capture kernel uploads and reboots; boot 2 arms from the cached image
#                   ("up to date", same image), then the package's life: `vmcap
#                   setup-crashkernel --apply`, an upgrade while armed (a reinstall, with
#                   /sys/kernel/kexec_crash_loaded sampled every 20 ms: never 0), apt-get
#                   remove (unloaded, units and binary gone, config and images kept) and
#                   apt-get purge (config, images, the GRUB snippet gone; /var/crash kept).
#                   Checked: both armings, the crash, the upload (complete manifest, sizes
#                   and sha256, markers and panic line, the core's log through makedumpfile
#                   and vmcap equal to dmesg.txt), the capture kernel's reboot, no udev
#                   re-arm at either boot's coldplug, the life cycle. Times: boot to armed,
#                   panic to the capture kernel's reboot, the whole loop.
#   second-kernel   the package's own /etc/vmcap.conf (file:///var/crash) with one broken
#                   line: boot 1 arms with what parsed (the journal names the line), then
#                   installs a second kernel package (bookworm's cloud flavour, 6.1.0-N-cloud,
#                   from scripts/debian-kernel.sh's cache) whose postinst.d hook builds its
#                   vmcap image; boot 2 runs that kernel: armed without a rebuild ("up to date"),
#                   crashes; its capture kernel writes the capture to /var/crash on the
#                   system's own disk and reboots; boot 3 lists it. The host reads the
#                   capture from the disk image (debugfs) and checks it as the upload.
#   lockdown        lockdown=integrity: Debian's signed kernel without UEFI Secure Boot
#                   cannot verify any capture kernel: the unit fails with exit 5 and says
#                   why; status exits 3.
#   no-reservation  no crashkernel=: the unit fails and says how to reserve
#                   (vmcap setup-crashkernel --apply); a reinstall's postinst says so too.
#   small           crashkernel=64M: the unit fails with the numbers and the fix.
#   pstore          a panic without kdump (no crashkernel=: vmcap-arm.service fails), ramoops
#                   in 1 MiB of reserved RAM (memmap=, modules_load=ramoops, panic=5), the
#                   test's config (nginx): boot 1 writes the markers and panics, the guest
#                   resets itself (same QEMU: RAM kept); boot 2's vmcap-pstore.service sends
#                   the record. Checked: ramoops registered at both boots in a range that is
#                   not System RAM, the panic and reset, one capture on nginx (source pstore,
#                   complete, backend ramoops, reason Panic, the image's release, sizes and
#                   sha256, dmesg.txt with the markers and the panic line), the unit
#                   succeeded, /sys/fs/pstore empty after it, systemd-pstore.service skipped
#                   by the package's drop-in. Times: panic to the unit's end.
#   pstore-failed-capture  both paths, the capture kernel fails: crashkernel=, the same
#                   ramoops, `pstore = yes` and [arm] append = rdinit=/vmcap-e2e-nonexistent:
#                   boot 1 arms (the journal says pstore was turned on, status and sysfs show
#                   crash_kexec_post_notifiers on), crashes; the capture kernel finds no init,
#                   panics and resets (panic=10); boot 2 sends the first kernel's log (written
#                   before kdump ran). Checked as pstore, and that no vmcore capture landed.
#   pstore-both     pstore = yes, the capture kernel works, the package's file:///var/crash:
#                   after boot 2 /var/crash on the disk (debugfs) holds a vmcore capture
#                   (checked as the upload) and a pstore capture with the same crash.hash;
#                   pstore.vmcore_capture, when set, names the vmcore capture (null: said).
# Results (check_NAME=pass|fail, times) in OUT/results; PASS/FAIL as the last line.
#
#   scripts/e2e-debian-system.sh [--out DIR] [--image-dir DIR] [--scenarios "loop ..."]
#                                [--crashkernel 192M] [--mem-mib 1024] [--timeout 900]
#                                [--compression zstd|zlib] [--chroot DIR] [--accel tcg|kvm]
#                                [--deb FILE] [--static-build DIR] [--vmcap BINARY]
#
# --image-dir: the cached image (default build/debian-system, shared with other runs: one that
# rebuilds it with another package changes the image under a running test; a run of its own
# copies base/ and base.key into a folder of its own).
# --deb: the package installed in the image (default: scripts/build-deb.sh makes it from
# --static-build, default build/static); --vmcap: the host's vmcap for check-config and the
# core's log (its vmcap.stripped). --accel kvm: where /dev/kvm works.
# --compression: the capture's core (zstd, vmcap's default): its oracle is sid's makedumpfile
# 1.7.8 through scripts/makedumpfile-chroot.sh (--chroot DIR), zlib's Debian 12's makedumpfile.
# Needs root, and (scripts/packages/qemu.txt, upload.txt) qemu-system-x86, nginx-light,
# e2fsprogs (debugfs), makedumpfile, python3, mmdebstrap and network for the first image and
# the second kernel.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$script_dir/.." && pwd)
e2e_dir=$script_dir/e2e

out=$root/build/e2e-debian-system
image_dir=$root/build/debian-system
scenarios="loop second-kernel lockdown no-reservation small pstore pstore-failed-capture pstore-both"
crashkernel=192M
mem_mib=1024
run_timeout=900
compression=zstd
chroot_dir=
accel=tcg
vmcap=$root/build/static/capture/cli/vmcap.stripped
static_build=$root/build/static
deb=

usage() { sed -n '2,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit "${1:-0}"; }
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out=$2; shift 2 ;;
    --image-dir) image_dir=$2; shift 2 ;;
    --scenarios) scenarios=$2; shift 2 ;;
    --crashkernel) crashkernel=$2; shift 2 ;;
    --mem-mib) mem_mib=$2; shift 2 ;;
    --timeout) run_timeout=$2; shift 2 ;;
    --compression) compression=$2; shift 2 ;;
    --chroot) chroot_dir=$2; shift 2 ;;
    --accel) accel=$2; shift 2 ;;
    --vmcap) vmcap=$2; shift 2 ;;
    --deb) deb=$(realpath "$2"); shift 2 ;;
    --static-build) static_build=$2; shift 2 ;;
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
for sc in $scenarios; do
  case "$sc" in loop|second-kernel|lockdown|no-reservation|small|pstore|pstore-failed-capture|pstore-both) ;; *) fail "unknown scenario $sc" ;; esac
done
mkdir -p "$out"; out=$(cd "$out" && pwd)
: > "$out/results"

# ---------------------------------------------------------------- nginx on 127.0.0.1 (as scripts/e2e-kdump.sh)
. "$e2e_dir/servers.sh"  # free_port, wait_listening, start_nginx
. "$e2e_dir/system-checks.sh"  # check, has, boot_text, lines, check_log, check_poweroff
. "$e2e_dir/makedumpfile-dmesg.sh"  # plain_makedumpfile_dmesg
qemu_pid=
# shellcheck disable=SC2317  # run by the EXIT trap
cleanup() {
  [ -z "$qemu_pid" ] || { kill "$qemu_pid" 2>/dev/null; wait "$qemu_pid" 2>/dev/null; }
  [ -z "${nginx_pid:-}" ] || { kill "$nginx_pid" 2>/dev/null; wait "$nginx_pid" 2>/dev/null; }
  return 0
}
trap cleanup EXIT

# ---------------------------------------------------------------- the system's disks
# debugfs_w DISK COMMANDS: runs debugfs -w commands on DISK (no loop device, no mount).
debugfs_w() {
  printf '%s\n' "$2" > "$work/debugfs.cmds"
  debugfs -w -f "$work/debugfs.cmds" "$1" > "$work/debugfs.log" 2>&1 ||
    { cat "$work/debugfs.log" >&2; fail "debugfs on $1 failed"; }
}
# write_file DISK HOST_FILE PATH: PATH in the disk's filesystem becomes HOST_FILE (root's, 0644).
write_file() {
  debugfs_w "$1" "rm $3
write $2 $3
sif $3 uid 0
sif $3 gid 0
sif $3 mode 0100644"
  debugfs -R "cat $3" "$1" 2>/dev/null | cmp -s - "$2" || fail "$3 in $1 is not $2"
}
# the_test_config FILE [DIR]: the test's /etc/vmcap.conf, uploading to nginx on the host
# (into upload/DIR, default debian).
the_test_config() {
  local text
  text=$(sed -e "s|@HOST@|e2e-debian|" -e "s|@PORT@|$http_port|" -e "s|@PATH@|${2:-debian}|" \
           -e "s|@COMPRESSION@|$compression|" "$e2e_dir/vmcap.conf.in")
  # [network] names no modules: vmcap arm finds the NIC's drivers in sysfs.
  printf '%s\n' "${text//@NETWORK@/$'[network]\ninterface = auto'}" > "$1"
  "$vmcap" check-config "$1" > "$work/check-config.log" 2>&1 ||
    { cat "$work/check-config.log" >&2; fail "the test's vmcap.conf does not pass check-config"; }
}
# make_disk DISK: a sparse copy of the cached image.
make_disk() { cp --sparse=always "$image_dir/image.raw" "$1"; }

# ---------------------------------------------------------------- QEMU
declare -A seen=()
milestone() { # NAME PATTERN: records when PATTERN first shows on the console
  [ -z "${seen[$1]:-}" ] || return 0
  if grep -qaE "$2" "$console"; then seen[$1]=$(seconds "$t_start" "$(now)"); fi
}
# run_qemu DISK KERNEL INITRD APPEND: boots until the guest powers off (or the timeout);
# the console in $console, QEMU's exit status in qemu_rc, milestones in seen[].
run_qemu() {
  local pid
  : > "$console"
  seen=()
  t_start=$(now)
  # cache=unsafe: the guest's flushes stay in the host's page cache (the disk is a throwaway
  # copy, and a warm reset keeps QEMU running): dpkg's fsync of each of a kernel package's
  # thousands of files cost minutes under TCG.
  # shellcheck disable=SC2054  # the commas are QEMU's
  timeout "$run_timeout" qemu-system-x86_64 -accel "$accel" -smp 1 -m "${mem_mib}M" \
    -cpu "${VMCAP_E2E_CPU:-qemu64,+rdrand}" -nodefaults -display none \
    -kernel "$2" -initrd "$3" -append "root=/dev/vda console=ttyS0 $4" \
    -drive "file=$1,format=raw,if=virtio,cache=unsafe" \
    -netdev user,id=net0 -device virtio-net-pci,netdev=net0 \
    -serial "file:$console" > "${console%.log}.qemu.log" 2>&1 &
  pid=$!; qemu_pid=$pid
  while kill -0 "$pid" 2>/dev/null; do
    milestone boot1_report 'VMCAP-E2E boot=1 report'
    milestone panic 'sysrq: Trigger a crash'
    [ -z "${seen[panic]:-}" ] || milestone capture_reboot 'reboot: Restarting system'
    milestone boot2_report 'VMCAP-E2E boot=2 report'
    if [ -n "${seen[panic]:-}" ]; then
      milestone panic_reboot 'Rebooting in [0-9]+ seconds'
      # systemd's status line, cut and coloured: "Finished \e[0;1;39mvmcap-pstore.serv…end the ...".
      milestone pstore_sent 'Finished .*vmcap-pstore\.serv'
    fi
    sleep 0.2
  done
  qemu_rc=0; wait "$pid" || qemu_rc=$?
  qemu_pid=
  seen[end]=$(seconds "$t_start" "$(now)")
  # The console without carriage returns, the test unit's lines without the prefix
  # journald's console forwarding gives them ("[  37.37] vmcap-e2e[235]: ").
  sed -E -e 's/\r$//' -e 's/^.*\[ *[0-9]+\.[0-9]+\] vmcap-e2e\[[0-9]+\]: //' "$console" > "${console%.log}.txt"
  console_txt=${console%.log}.txt
}

# ---------------------------------------------------------------- checks
# check_armed NAME N WANT_IMAGE(built|up to date): boot N's unit armed, status current.
check_armed() {
  local name=$1 n=$2 want=$3 text bad=() found images
  text=$(boot_text "$n")
  [ -n "$text" ] || { check "$name" "boot $n reported" 1 "no 'VMCAP-E2E boot=$n' lines on the console"; return; }
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
  found="$(grep -E -e '^\[arm-journal\] vmcap \[ *[0-9.]+s\] (image|arm|config): ' -e '^\[status\] vmcap \[ *[0-9.]+s\] status: ' \
           -e '^\[images\] -' -e '^VMCAP-E2E boot=[0-9]+ (status rc=|report)' <<<"$text" | sed 's/^/    /' || true)"
  images_now=$(grep '^\[images\] -' <<<"$text" | awk '{print $NF}' | tr '\n' ' ' || true)
  if ((${#bad[@]})); then
    check "$name" "boot $n armed ($want)" 1 "$(IFS=';'; echo "${bad[*]}")"$'\n'"$found"
  else
    check "$name" "boot $n armed ($want)" 0 $'\n'"$found"
  fi
}
# check_refused NAME N DESCRIPTION WANT...: boot N's unit failed with exit 5, its journal
# holding each WANT, status exit 3.
check_refused() {
  local name=$1 n=$2 what=$3 text bad=() w
  shift 3
  text=$(boot_text "$n")
  [ -n "$text" ] || { check "$name" "boot $n reported" 1 "no 'VMCAP-E2E boot=$n' lines on the console"; return; }
  has "$text" "[arm-unit] ActiveState=failed" || bad+=("vmcap-arm.service not failed")
  has "$text" "[arm-unit] ExecMainStatus=5" || bad+=("vmcap arm did not exit 5")
  local journal
  journal=$(grep -a '^\[arm-journal\] ' <<<"$text" || true)
  for w in "$@"; do
    has "$journal" "$w" || bad+=("its journal does not say '$w'")
  done
  has "$text" "VMCAP-E2E boot=$n status rc=3" || bad+=("vmcap status did not exit 3 (not armed)")
  has "$text" "[failed] " || bad+=("systemctl --failed lists nothing")
  local found
  found="$(grep -E -e '^\[arm-unit\] (ActiveState|ExecMainStatus)=' -e '^\[arm-journal\] vmcap \[ *[0-9.]+s\] (arm|load|lockdown|reservation|estimate): ' \
           -e '^\[arm-journal\] .*(Failed|failed)' -e '^\[status\] vmcap \[ *[0-9.]+s\] status: ' -e '^VMCAP-E2E boot=[0-9]+ status rc=' <<<"$text" | sed 's/^/    /' || true)"
  if ((${#bad[@]})); then
    check "$name" "$what" 1 "$(IFS=';'; echo "${bad[*]}")"$'\n'"$found"
  else
    check "$name" "$what" 0 $'\n'"$found"
  fi
}

# check_capture NAME DIR WHERE: a capture directory whole (manifest, sizes, sha256), its log
# with the markers and panic line, the core's log through makedumpfile and vmcap = dmesg.txt.
check_capture() {
  local name=$1 dir=$2 where=$3 msg logmsg
  msg=$(python3 "$e2e_dir/check_manifest.py" "$dir" 2>&1) || { check "$name" "the capture $where" 1 "$dir: $msg"; return; }
  logmsg=$(check_log "$dir/dmesg.txt") || { check "$name" "the capture $where" 1 "dmesg.txt: $logmsg"; return; }
  rm -f "$work/core.kdump" "$work/core.makedumpfile-dmesg"
  "${makedumpfile[@]}" -R "$work/core.kdump" < "$dir/vmcore.flat" > "$work/restore.log" 2>&1 ||
    { check "$name" "the capture $where" 1 "makedumpfile -R failed: $(tail -n 3 "$work/restore.log")"; return; }
  "${makedumpfile[@]}" --dump-dmesg "$work/core.kdump" "$work/core.makedumpfile-dmesg" > "$work/dump-dmesg.log" 2>&1 ||
    { check "$name" "the capture $where" 1 "makedumpfile --dump-dmesg failed: $(tail -n 3 "$work/dump-dmesg.log")"; return; }
  plain_makedumpfile_dmesg "$work/core.makedumpfile-dmesg"
  "$vmcap" dmesg "$work/core.kdump" > "$work/core.vmcap-dmesg" 2> "$work/vmcap-dmesg.log" ||
    { check "$name" "the capture $where" 1 "vmcap dmesg failed on the restored core"; return; }
  cmp -s "$work/core.makedumpfile-dmesg" "$work/core.vmcap-dmesg" ||
    { check "$name" "the capture $where" 1 "makedumpfile --dump-dmesg and vmcap dmesg differ on the core"; return; }
  cmp -s "$dir/dmesg.txt" "$work/core.vmcap-dmesg" ||
    { check "$name" "the capture $where" 1 "dmesg.txt differs from the core's log"; return; }
  rm -f "$work/core.kdump"
  check "$name" "the capture $where" 0 "$dir: $msg; dmesg.txt: $logmsg; the core's log ($makedumpfile_name, vmcap) equals dmesg.txt"
}
# check_reboot NAME: the capture kernel ran vmcap and rebooted (a warm reset).
check_reboot() {
  local rebooted=1 cap
  cap=$(sed -n '/sysrq: Trigger a crash/,/VMCAP-E2E boot=[0-9]* report/p' "$console_txt")
  if grep -aq 'reboot: Restarting system' <<<"$cap"; then rebooted=0; fi
  check "$1" "the capture kernel ran vmcap and rebooted (a warm reset)" "$rebooted" \
    "$(grep -a -E '^vmcap \[ *[0-9.]+s\] (init|disk|upload|core: sent|core: |done|final action)|reboot: Restarting' <<<"$cap" | sed 's/^/    /' | sed '1s/^/\n/')"
}
check_crashed() { # NAME N
  local crashed=1 markers
  markers=$(grep -ac 'vmcap-e2e marker' "$console_txt" || true)
  if grep -aq "VMCAP-E2E boot=$2 crashing: kexec_crash_loaded=1" "$console_txt" &&
     grep -aq 'sysrq: Trigger a crash' "$console_txt"; then crashed=0; fi
  check "$1" "the markers written, the machine crashed with the capture kernel loaded" "$crashed" \
    "$(grep -a -m1 "VMCAP-E2E boot=$2 crashing" "$console_txt" || echo 'no crashing line'); $(grep -a -m1 -o 'sysrq: Trigger a crash' "$console_txt" || echo 'no sysrq line'); $markers marker lines on the console"
}

# ---------------------------------------------------------------- scenarios
scenario_loop() {
  local disk=$work/loop.raw conf=$work/loop.conf
  console=$work/loop.log
  make_disk "$disk"; the_test_config "$conf"; write_file "$disk" "$conf" /etc/vmcap.conf
  log "loop: booting (QEMU $accel, ${mem_mib} MiB, crashkernel=$crashkernel; timeout $run_timeout s); console: $console"
  run_qemu "$disk" "$image_dir/vmlinuz" "$image_dir/initrd.img" "crashkernel=$crashkernel vmcap_e2e=crash-lifecycle"
  log "loop: QEMU ended: exit $qemu_rc after ${seen[end]} s"

  check_armed boot1 1 built; local images_1=$images_now
  check_crashed crash 1
  check_reboot capture_reboot
  local dirs
  dirs=$(find "$upload_root/debian" -mindepth 2 -maxdepth 2 -name manifest.json 2>/dev/null | wc -l)
  if [ "$dirs" = 1 ]; then
    check_capture upload "$(dirname "$(find "$upload_root/debian" -mindepth 2 -maxdepth 2 -name manifest.json)")" "uploaded to nginx"
  else
    check upload "one capture on the server" 1 "$dirs capture directories under upload/debian"
  fi
  check_armed boot2 2 "up to date"; local images_2=$images_now
  if [ -n "$images_1" ] && [ "$images_1" = "$images_2" ]; then
    check same_image "boot 2 loaded the image boot 1 built" 0 "$images_2"
  else
    check same_image "boot 2 loaded the image boot 1 built" 1 "boot 1: ${images_1:-none}, boot 2: ${images_2:-none}"
  fi
  # The coldplug at every boot replays each CPU's "add": the hotplug rule must not take it
  # for a hotplug and arm a second time.
  local n rearm
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
  check_lifecycle
  check_poweroff poweroff

  local b1 b2
  b1=$(lines 1 arm-unit | sed -n 's/^ExecMainExitTimestampMonotonic=//p')
  b2=$(lines 2 arm-unit | sed -n 's/^ExecMainExitTimestampMonotonic=//p')
  {
    echo "boot1_armed_guest_s=$(awk -v u="${b1:-0}" 'BEGIN { printf "%.1f", u / 1e6 }')"
    echo "boot2_armed_guest_s=$(awk -v u="${b2:-0}" 'BEGIN { printf "%.1f", u / 1e6 }')"
    for k in boot1_report panic capture_reboot boot2_report end; do echo "host_${k}_s=${seen[$k]:-}"; done
    [ -z "${seen[panic]:-}" ] || [ -z "${seen[capture_reboot]:-}" ] ||
      echo "panic_to_reboot_s=$(awk -v a="${seen[panic]}" -v b="${seen[capture_reboot]}" 'BEGIN { printf "%.1f", b - a }')"
  } >> "$out/results"
  log "loop: times (host clock from QEMU's start): boot 1 reported armed at ${seen[boot1_report]:-?} s" \
      "(vmcap-arm.service done ${b1:+$(awk -v u="$b1" 'BEGIN { printf "%.1f", u / 1e6 }') s after the kernel started}), crash at ${seen[panic]:-?} s," \
      "capture kernel's reboot at ${seen[capture_reboot]:-?} s, boot 2 reported armed at ${seen[boot2_report]:-?} s" \
      "(vmcap-arm.service done ${b2:+$(awk -v u="$b2" 'BEGIN { printf "%.1f", u / 1e6 }') s after its kernel started}), powered off at ${seen[end]} s;" \
      "panic->reboot $(sed -n 's/^panic_to_reboot_s=//p' "$out/results") s"
}

# The package's life on boot 2 of the loop: upgrade while armed, remove, purge.
check_lifecycle() {
  local text bad=() samples unloaded
  text=$(boot_text 2)
  samples=$(grep -o 'upgrade-samples total=[0-9]* unloaded=[0-9]*' <<<"$text" || true)
  unloaded=$(sed -n 's/.*unloaded=//p' <<<"$samples")
  [ -n "$samples" ] || bad+=("no upgrade samples")
  [ "${unloaded:-1}" = 0 ] || bad+=("kexec_crash_loaded read 0 during the upgrade ($samples)")
  has "$text" "VMCAP-E2E boot=2 upgrade rc=0" || bad+=("the upgrade (apt-get install --reinstall) failed")
  has "$text" "[upgrade] vmcap: arming again with the new vmcap" || bad+=("postinst did not arm again")
  has "$text" "VMCAP-E2E boot=2 status-after-upgrade rc=0" || bad+=("status after the upgrade not 0")
  has "$text" "[arm-unit-after-upgrade] ActiveState=active" || bad+=("vmcap-arm.service not active after the upgrade")
  if ((${#bad[@]})); then
    check upgrade "an upgrade while armed keeps the machine armed" 1 "$(IFS=';'; echo "${bad[*]}")"$'\n'"$(lines 2 upgrade | sed 's/^/    /')"
  else
    check upgrade "an upgrade while armed keeps the machine armed" 0 "$samples; $(lines 2 status-after-upgrade | grep -m1 "status: ")"
  fi
  bad=()
  local rm_text purge_text f
  rm_text=$(lines 2 after-remove); purge_text=$(lines 2 after-purge)
  has "$text" "VMCAP-E2E boot=2 remove rc=0" || bad+=("apt-get remove failed")
  has "$rm_text" "kexec_crash_loaded=0" || bad+=("the capture kernel is still loaded after remove")
  for f in /usr/sbin/vmcap /lib/systemd/system/vmcap-arm.service /lib/systemd/system/vmcap-arm.path \
           /lib/systemd/system/vmcap-rearm.service /usr/lib/udev/rules.d/98-vmcap-hotplug.rules /usr/share/bash-completion/completions/vmcap; do
    has "$rm_text" "absent $f" || bad+=("remove left $f")
  done
  for f in /etc/vmcap.conf /var/lib/vmcap /etc/kernel/postinst.d/vmcap; do
    has "$rm_text" "present $f" || bad+=("remove took $f (kept until purge)")
  done
  has "$rm_text" "LoadState=not-found" || bad+=("vmcap-arm.service still known to systemd after remove")
  if ((${#bad[@]})); then
    check remove "apt-get remove: disarmed, units and binary gone, config and images kept" 1 "$(IFS=';'; echo "${bad[*]}")"$'\n'"$(sed 's/^/    /' <<<"$rm_text")"
  else
    check remove "apt-get remove: disarmed, units and binary gone, config and images kept" 0 "$(grep -c '^absent' <<<"$rm_text") paths gone, kexec_crash_loaded=0"
  fi
  bad=()
  has "$text" "VMCAP-E2E boot=2 purge rc=0" || bad+=("apt-get purge failed")
  has "$text" "VMCAP-E2E boot=2 setup-crashkernel rc=" || bad+=("setup-crashkernel --apply did not run")
  grep -q "present /etc/default/grub.d/vmcap.cfg" <<<"$rm_text" || bad+=("setup-crashkernel --apply wrote no /etc/default/grub.d/vmcap.cfg")
  for f in /etc/vmcap.conf /var/lib/vmcap /etc/kernel/postinst.d/vmcap /etc/default/grub.d/vmcap.cfg \
           /etc/systemd/system/multi-user.target.wants/vmcap-arm.service /etc/systemd/system/multi-user.target.wants/vmcap-arm.path; do
    has "$purge_text" "absent $f" || bad+=("purge left $f")
  done
  has "$purge_text" "present /var/crash/e2e-kept-capture" || bad+=("purge took /var/crash")
  has "$(lines 2 purge)" "vmcap: removed /etc/default/grub.d/vmcap.cfg" || bad+=("purge did not say it removed the GRUB snippet")
  if ((${#bad[@]})); then
    check purge "apt-get purge: config, images, GRUB snippet and unit links gone, /var/crash kept" 1 "$(IFS=';'; echo "${bad[*]}")"$'\n'"$(sed 's/^/    /' <<<"$purge_text")"
  else
    check purge "apt-get purge: config, images, GRUB snippet and unit links gone, /var/crash kept" 0 "$(grep -c '^absent' <<<"$purge_text") paths gone; /var/crash/e2e-kept-capture kept"
  fi
}

scenario_second_kernel() {
  local disk=$work/second-kernel.raw kdeb krel conf=$work/second-kernel.conf
  console=$work/second-kernel-1.log
  # bookworm's cloud flavour: a real second kernel package a quarter of the size of the
  # generic one (26 MB): its install under TCG takes minutes instead of ten.
  "$script_dir/debian-kernel.sh" 6.1-cloud > /dev/null || fail "scripts/debian-kernel.sh 6.1-cloud failed (the second kernel's package)"
  kdeb=$root/build/test-vmcores/.cache/debs/$(cat "$root/build/test-vmcores/.cache/debs/6.1-cloud.deb-name")
  krel=$(dpkg-deb -f "$kdeb" Package); krel=${krel#linux-image-}
  make_disk "$disk"
  # The package's own config, plus one broken line: armed with what parsed.
  debugfs -R "cat /etc/vmcap.conf" "$disk" > "$conf" 2>/dev/null
  grep -q '^url = file:///var/crash' "$conf" || fail "the image's /etc/vmcap.conf is not the package's default"
  # The broken line among the global keys (in a destination's section it would leave that
  # destination out, as the capture kernel's rules say).
  sed -i 's/^destinations = local$/destinations = local\nhostname = e2e-second\n# a typo, as an operator makes one\ndump_levle = 1/' "$conf"
  write_file "$disk" "$conf" /etc/vmcap.conf
  debugfs_w "$disk" "mkdir /root/e2e"
  write_file "$disk" "$kdeb" "/root/e2e/$(basename "$kdeb")"
  log "second-kernel: boot 1 (6.1, the package's config with a broken line): installs $(basename "$kdeb"); console: $console"
  run_qemu "$disk" "$image_dir/vmlinuz" "$image_dir/initrd.img" "crashkernel=$crashkernel vmcap_e2e=install-kernel"
  log "second-kernel: QEMU ended: exit $qemu_rc after ${seen[end]} s"
  local text bad=()
  check_armed broken_config 1 built
  text=$(boot_text 1)
  grep -qE '^\[arm-journal\] vmcap \[ *[0-9.]+s\] config: /etc/vmcap.conf:[0-9]+: .*dump_levle' <<<"$text" ||
    bad+=("the journal does not name the broken line")
  has "$text" "problem(s): arming with what parsed" || bad+=("the journal does not say it armed with what parsed")
  if ((${#bad[@]})); then check broken_config_said "the broken line said in the journal" 1 "$(IFS=';'; echo "${bad[*]}")"
  else check broken_config_said "the broken line said in the journal" 0 "$(grep -E 'config: ' <<<"$text" | sed 's/^/    /' | sed '1s/^/\n/')"; fi
  bad=()
  has "$text" "VMCAP-E2E boot=1 install-kernel rc=0" || bad+=("apt-get install of the kernel failed")
  lines 1 install-kernel | grep -E '^vmcap \[ *[0-9.]+s\] arm: image ready for ' | grep -F "for $krel;" > /dev/null ||
    bad+=("the postinst.d hook did not build the image for $krel")
  lines 1 images-after-kernel | grep -F "capture-$krel-" > /dev/null || bad+=("no capture-$krel image in /var/lib/vmcap/images")
  if ((${#bad[@]})); then check kernel_hook "the kernel package's postinst hook built its image" 1 "$(IFS=';'; echo "${bad[*]}")"$'\n'"$(lines 1 install-kernel | tail -n 15 | sed 's/^/    /')"
  else check kernel_hook "the kernel package's postinst hook built its image" 0 "$(grep -E "^\[install-kernel\] vmcap .*(image|arm): " <<<"$text" | sed 's/^/    /' | sed '1s/^/\n/')"; fi
  check_poweroff second_kernel_poweroff_1

  # Boot 2 runs the new kernel (QEMU boots it directly: its vmlinuz and initrd from the disk).
  debugfs -R "dump /boot/vmlinuz-$krel $work/vmlinuz-$krel" "$disk" > /dev/null 2>&1
  debugfs -R "dump /boot/initrd.img-$krel $work/initrd.img-$krel" "$disk" > /dev/null 2>&1
  [ -s "$work/vmlinuz-$krel" ] && [ -s "$work/initrd.img-$krel" ] || fail "no /boot/vmlinuz-$krel or initrd.img-$krel on the disk after the kernel's install"
  console=$work/second-kernel-2.log
  log "second-kernel: boot 2 ($krel): armed without a rebuild, crash, capture to /var/crash on the disk; console: $console"
  run_qemu "$disk" "$work/vmlinuz-$krel" "$work/initrd.img-$krel" "crashkernel=$crashkernel vmcap_e2e=crash"
  log "second-kernel: QEMU ended: exit $qemu_rc after ${seen[end]} s"
  check_armed second_kernel_armed 2 "up to date"
  has "$(boot_text 2)" "kernel $krel" || check second_kernel_release "boot 2 ran $krel" 1 "$(boot_text 2 | head -n 1)"
  check_crashed second_kernel_crash 2
  check_reboot second_kernel_capture_reboot
  # The capture on the system's own disk.
  local listing name
  listing=$(debugfs -R "ls -p /var/crash" "$disk" 2>/dev/null | awk -F/ '$6 != "." && $6 != ".." && $6 != "" {print $6}')
  name=$(grep -vx -e 'e2e-kept-capture' -e 'index' <<<"$listing" | head -n 1 || true)  # index/: the crash index
  if [ -z "$name" ]; then
    check second_kernel_capture "a capture in /var/crash on the system's disk" 1 "/var/crash holds: $(echo $listing)"
  else
    rm -rf "$work/var-crash"; mkdir -p "$work/var-crash"
    debugfs -R "rdump /var/crash/$name $work/var-crash" "$disk" > /dev/null 2>&1
    check_capture second_kernel_capture "$work/var-crash/$name" "written to /var/crash on the system's disk by the capture kernel"
  fi
  check_poweroff second_kernel_poweroff_2
}

# refused_boot NAME APPEND PLAN: one boot that reports and powers off.
refused_boot() {
  local disk=$work/$1.raw conf=$work/$1.conf
  console=$work/$1.log
  make_disk "$disk"; the_test_config "$conf"; write_file "$disk" "$conf" /etc/vmcap.conf
  log "$1: booting with '$2'; console: $console"
  run_qemu "$disk" "$image_dir/vmlinuz" "$image_dir/initrd.img" "$2 vmcap_e2e=$3"
  log "$1: QEMU ended: exit $qemu_rc after ${seen[end]} s"
  echo "${1//-/_}_boot_s=${seen[end]}" >> "$out/results"
}
scenario_lockdown() {
  refused_boot lockdown "crashkernel=$crashkernel lockdown=integrity" report
  check_refused lockdown 1 "lockdown=integrity without UEFI Secure Boot: the unit fails, saying why" \
    "security: lockdown integrity" "can verify no kernel's signature" "the machine is NOT armed"
  check_poweroff lockdown_poweroff
}
scenario_no_reservation() {
  refused_boot no-reservation "" reinstall
  check_refused no_reservation 1 "no crashkernel=: the unit fails with how to reserve" \
    "no memory is reserved for a capture kernel" "vmcap setup-crashkernel --apply"
  local r
  r=$(lines 1 reinstall)
  if has "$r" "vmcap: this boot reserves no memory for a capture kernel" && has "$r" "vmcap setup-crashkernel --apply"; then
    check no_reservation_install "installing the package says nothing is reserved, and how" 0 "$(grep '^vmcap: ' <<<"$r" | sed 's/^/    /' | sed '1s/^/\n/')"
  else
    check no_reservation_install "installing the package says nothing is reserved, and how" 1 "$(sed 's/^/    /' <<<"$r")"
  fi
  check_poweroff no_reservation_poweroff
}
scenario_small() {
  refused_boot small "crashkernel=64M" report
  check_refused small 1 "crashkernel=64M: the unit fails with the numbers and the fix" \
    "is smaller than the" "vmcap setup-crashkernel --apply"
  check_poweroff small_poweroff
}

# ---------------------------------------------------------------- pstore
# ramoops in reserved RAM, set up from the kernel command line: Debian's 6.1 builds it as a
# module (CONFIG_PSTORE_RAM=m), which systemd-modules-load loads (modules_load=) with its
# parameters from /proc/cmdline (kmod reads ramoops.*=). memmap= takes the range from the
# kernel's RAM. At 768 MiB, not at the top of the 1 GiB guest: QEMU puts the -initrd (36 MB)
# just below the top of RAM (0x3dd..-0x3ffd.., below the ACPI tables) and copies it there
# again at every reset, over whatever the panic wrote there. panic=5: the guest resets
# itself, and QEMU keeps its RAM across that reset (never a new QEMU between the boots).
# VMCAP_E2E_RAMOOPS_ADDR moves it (0x3f000000: boot 2 finds no record, the initrd's copy).
ramoops_addr=${VMCAP_E2E_RAMOOPS_ADDR:-0x30000000}
pstore_append="modules_load=ramoops ramoops.mem_address=$ramoops_addr ramoops.mem_size=0x100000 ramoops.record_size=0x20000 memmap=1M\$$ramoops_addr panic=5"

# check_pstore_manifest DIR RELEASE: a pstore capture whole (manifest complete, source
# pstore, backend ramoops, reason Panic, the kernel release, each artifact's size and sha256).
check_pstore_manifest() {
  python3 - "$1" "$2" <<'PY'
import hashlib, json, os, sys
d, release = sys.argv[1], sys.argv[2]
try:
    m = json.load(open(os.path.join(d, "manifest.json")))
except (OSError, ValueError) as e:
    print("BAD: manifest.json: %s" % e); sys.exit(1)
bad = []
p = m.get("pstore") or {}
if m.get("schema") != "vmcap-manifest/1": bad.append("schema %r" % m.get("schema"))
if m.get("source") != "pstore": bad.append("source %r" % m.get("source"))
if m.get("complete") is not True: bad.append("complete is %r" % m.get("complete"))
if (m.get("kernel") or {}).get("release") != release:
    bad.append("kernel release %r, the image's is %r" % ((m.get("kernel") or {}).get("release"), release))
if not str(p.get("backend", "")).startswith("ramoops"): bad.append("backend %r" % p.get("backend"))
if p.get("reason") != "Panic": bad.append("reason %r" % p.get("reason"))
if not (m.get("crash") or {}).get("hash"): bad.append("no crash hash")
names = [a["name"] for a in m.get("artifacts", [])]
if "dmesg.txt" not in names: bad.append("no dmesg.txt among the artifacts %r" % names)
for a in m.get("artifacts", []):
    f = os.path.join(d, a["name"])
    if not os.path.isfile(f):
        bad.append(a["name"] + " missing"); continue
    if os.path.getsize(f) != a.get("size"): bad.append(a["name"] + " size differs from the manifest")
    if hashlib.sha256(open(f, "rb").read()).hexdigest() != a.get("sha256"):
        bad.append(a["name"] + " sha256 differs from the manifest")
print("source %s, complete=%s, release %s, backend %s, reason %s, records %s, artifacts %s, crash.hash %s, vmcore_capture %r, host %s"
      % (m.get("source"), m.get("complete"), (m.get("kernel") or {}).get("release"), p.get("backend"), p.get("reason"),
         ",".join(r.get("name", "?") for r in p.get("records", [])), ",".join(names),
         (m.get("crash") or {}).get("hash"), p.get("vmcore_capture"), m.get("host")))
for b in bad: print("BAD: " + b)
sys.exit(1 if bad else 0)
PY
}
# manifest_field DIR EXPR: a value of DIR/manifest.json (python expression on m), or "".
manifest_field() {
  python3 -c 'import json, sys; m = json.load(open(sys.argv[1] + "/manifest.json")); v = eval(sys.argv[2]); print("" if v is None else v)' "$1" "$2" 2>/dev/null || true
}
# check_ramoops NAME N: boot N registered ramoops at ramoops_addr, in a range the kernel
# does not use as RAM (memmap= said it, /proc/iomem shows no System RAM over it).
check_ramoops() {
  local name=$1 n=$2 bad=() kernel iomem ram
  kernel=$(lines "$n" pstore-kernel); iomem=$(lines "$n" pstore-iomem)
  has "$kernel" "ramoops: using 0x100000@$ramoops_addr" || bad+=("ramoops did not register at $ramoops_addr")
  grep -qiE "user: \[mem 0x0*${ramoops_addr#0x}-" <<<"$kernel" || bad+=("the kernel's memory map (memmap=) does not show the range")
  grep -qiE "user: \[mem 0x0*${ramoops_addr#0x}-0x[0-9a-f]+\] reserved" <<<"$kernel" || bad+=("the range is not reserved in the memory map")
  ram=$(python3 -c '
import sys
lo = int(sys.argv[1], 16); hi = lo + 0x100000 - 1
for l in sys.stdin:
    r, _, what = l.partition(" : ")
    a, _, b = r.strip().partition("-")
    try: a, b = int(a, 16), int(b, 16)
    except ValueError: continue
    if a <= hi and b >= lo: print(l.strip())' "$ramoops_addr" <<<"$iomem")
  grep -q 'System RAM' <<<"$ram" && bad+=("/proc/iomem: System RAM over the range")
  [ -n "$ram" ] || bad+=("/proc/iomem shows nothing over the range")
  has "$(lines "$n" pstore-params)" "backend=ramoops" || bad+=("pstore's backend is not ramoops")
  local found
  found="$(grep -E 'ramoops|user: \[mem 0x0*'"${ramoops_addr#0x}" <<<"$kernel" | sed 's/^/    /'; sed 's/^/    iomem: /' <<<"$ram"; lines "$n" pstore-params | sed 's/^/    /')"
  if ((${#bad[@]})); then check "$name" "boot $n: ramoops registered in reserved RAM" 1 "$(IFS=';'; echo "${bad[*]}")"$'\n'"$found"
  else check "$name" "boot $n: ramoops registered in reserved RAM" 0 $'\n'"$found"; fi
}
# check_pstore_boot NAME N: at boot N vmcap-pstore.service ran and succeeded, the records
# are gone from /sys/fs/pstore, systemd-pstore.service was skipped (the package's drop-in).
check_pstore_boot() {
  local name=$1 n=$2 text unit ls sp sps bad=()
  text=$(boot_text "$n")
  [ -n "$text" ] || { check "${name}_unit" "boot $n reported" 1 "no 'VMCAP-E2E boot=$n' lines on the console"; return; }
  unit=$(lines "$n" pstore-unit); ls=$(lines "$n" pstore-ls)
  has "$unit" "ConditionResult=yes" || bad+=("its condition (/sys/fs/pstore not empty) was not met")
  has "$unit" "Result=success" || bad+=("result not success")
  has "$unit" "ExecMainStatus=0" || bad+=("vmcap pstore did not exit 0")
  grep -q 'vmcap' <<<"$(lines "$n" pstore-journal)" || bad+=("its journal says nothing of vmcap")
  local found
  found="$(sed 's/^/    /' <<<"$unit"; lines "$n" pstore-journal | sed 's/^/    journal: /')"
  if ((${#bad[@]})); then check "${name}_unit" "boot $n: vmcap-pstore.service ran vmcap pstore and succeeded" 1 "$(IFS=';'; echo "${bad[*]}")"$'\n'"$found"
  else check "${name}_unit" "boot $n: vmcap-pstore.service ran vmcap pstore and succeeded" 0 $'\n'"$found"; fi
  # ls -la: "total 0", ".", ".." and nothing else.
  if [ "$(grep -cvE '^total |[[:space:]]\.\.?$' <<<"$ls")" = 0 ] && has "$text" "VMCAP-E2E boot=$n pstore-ls rc=0"; then
    check "${name}_deleted" "boot $n: /sys/fs/pstore empty after the upload (the records deleted)" 0 "$(tr '\n' ';' <<<"$ls")"
  else
    check "${name}_deleted" "boot $n: /sys/fs/pstore empty after the upload (the records deleted)" 1 $'\n'"$(sed 's/^/    /' <<<"$ls")"
  fi
  sp=$(lines "$n" systemd-pstore); sps=$(lines "$n" systemd-pstore-status)
  bad=()
  has "$sp" "ConditionResult=no" || bad+=("systemd-pstore.service's conditions were met")
  has "$sps" "vmcap.conf" || bad+=("its status names no vmcap.conf drop-in")
  # The condition that skipped it is one of the drop-in's (read in the guest).
  local cond met=
  while IFS= read -r cond; do
    if [ -n "$cond" ] && has "$sps" "$cond was not met"; then met=$cond; fi
  done <<<"$(lines "$n" systemd-pstore-dropin)"
  [ -n "$met" ] || bad+=("its status does not say one of the drop-in's conditions ($(lines "$n" systemd-pstore-dropin | tr '\n' ' ')) skipped it")
  found="$(sed 's/^/    /' <<<"$sp"; sed 's/^/    /' <<<"$sps"; lines "$n" systemd-pstore-dropin | sed 's/^/    drop-in: /'; lines "$n" systemd-pstore-dir | sed 's/^/    var-lib-systemd-pstore: /')"
  if ((${#bad[@]})); then check "${name}_systemd_skipped" "boot $n: systemd-pstore.service skipped (the package's drop-in)" 1 "$(IFS=';'; echo "${bad[*]}")"$'\n'"$found"
  else check "${name}_systemd_skipped" "boot $n: systemd-pstore.service skipped (the package's drop-in)" 0 $'\n'"$found"; fi
}
# check_pstore_upload NAME DIR [no-vmcore]: the one pstore capture on nginx in upload/DIR
# (and, with "no-vmcore", no other capture): whole, its dmesg.txt with the markers and the
# panic line.
check_pstore_upload() {
  local name=$1 up=$upload_root/$2 manifests dir msg logmsg n_p=0 n_v=0 m src other=()
  manifests=$(find "$up" -mindepth 2 -maxdepth 2 -name manifest.json 2>/dev/null | sort || true)
  for m in $manifests; do
    src=$(manifest_field "$(dirname "$m")" 'm.get("source")')
    if [ "$src" = pstore ]; then n_p=$((n_p + 1)); dir=$(dirname "$m"); else n_v=$((n_v + 1)); other+=("$(dirname "$m") ($src)"); fi
  done
  if [ "$n_p" != 1 ]; then
    check "$name" "one pstore capture on nginx" 1 "$n_p pstore captures, $n_v others under $up: $(echo $manifests)"
  elif ! msg=$(check_pstore_manifest "$dir" "$(cat "$image_dir/release")" 2>&1); then
    check "$name" "the pstore capture uploaded to nginx" 1 "$dir: $msg"
  elif ! logmsg=$(check_log "$dir/dmesg.txt"); then
    check "$name" "the pstore capture uploaded to nginx" 1 "$dir: $msg; dmesg.txt: $logmsg"
  else
    check "$name" "the pstore capture uploaded to nginx" 0 "$dir: $msg; dmesg.txt: $logmsg; files: $(cd "$dir" && ls | tr '\n' ' ')"
  fi
  if [ "${3:-}" = no-vmcore ]; then
    if [ "$n_v" = 0 ]; then check "${name}_no_vmcore" "no vmcore capture landed (the capture kernel failed)" 0 "$n_p pstore capture(s) only"
    else check "${name}_no_vmcore" "no vmcore capture landed (the capture kernel failed)" 1 "${other[*]}"; fi
  fi
}
# pstore_times PREFIX N: the times, from the host clock since QEMU started and boot N's
# guest clock (vmcap-pstore.service's run).
pstore_times() {
  local p=$1 n=$2 s e
  s=$(lines "$n" pstore-unit | sed -n 's/^ExecMainStartTimestampMonotonic=//p')
  e=$(lines "$n" pstore-unit | sed -n 's/^ExecMainExitTimestampMonotonic=//p')
  {
    for k in boot1_report panic capture_reboot panic_reboot pstore_sent boot2_report end; do echo "${p}_host_${k}_s=${seen[$k]:-}"; done
    [ -z "${seen[panic]:-}" ] || [ -z "${seen[pstore_sent]:-}" ] ||
      echo "${p}_panic_to_pstore_sent_s=$(seconds "${seen[panic]}" "${seen[pstore_sent]}")"
    [ -z "$s" ] || [ "$s" = 0 ] || [ -z "$e" ] || printf '%s\n' "${p}_pstore_unit_guest_start_s=$(awk -v u="$s" 'BEGIN { printf "%.1f", u / 1e6 }')" "${p}_pstore_unit_run_s=$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.2f", (b - a) / 1e6 }')"
  } >> "$out/results"
  [ "$s" != 0 ] || s=
  log "$p: times (host clock from QEMU's start): boot 1 reported at ${seen[boot1_report]:-?} s, crash at ${seen[panic]:-?} s," \
      "capture kernel's reboot at ${seen[capture_reboot]:--} s, a panic's 'Rebooting in' at ${seen[panic_reboot]:--} s," \
      "vmcap-pstore.service finished at ${seen[pstore_sent]:-?} s (panic->sent $([ -n "${seen[panic]:-}" ] && [ -n "${seen[pstore_sent]:-}" ] && seconds "${seen[panic]}" "${seen[pstore_sent]}" || echo ?) s;" \
      "the unit started ${s:+$(awk -v u="$s" 'BEGIN { printf "%.1f", u / 1e6 }')} s after boot $n's kernel started and ran ${e:+$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.2f", (b - a) / 1e6 }')} s)," \
      "boot 2 reported at ${seen[boot2_report]:-?} s, powered off at ${seen[end]} s"
}

scenario_pstore() {
  local disk=$work/pstore.raw conf=$work/pstore.conf
  console=$work/pstore.log
  make_disk "$disk"; the_test_config "$conf" pstore; write_file "$disk" "$conf" /etc/vmcap.conf
  log "pstore: no crashkernel=, ramoops at $ramoops_addr: boot 1 panics, boot 2's vmcap-pstore.service uploads; console: $console"
  run_qemu "$disk" "$image_dir/vmlinuz" "$image_dir/initrd.img" "$pstore_append vmcap_e2e=pstore"
  log "pstore: QEMU ended: exit $qemu_rc after ${seen[end]} s"
  check_refused pstore_not_armed 1 "no crashkernel=: vmcap-arm.service fails (kdump is not there)" "no memory is reserved for a capture kernel"
  check_ramoops pstore_ramoops 1
  local crashed=1
  if grep -aq "VMCAP-E2E boot=1 crashing: kexec_crash_loaded=0" "$console_txt" && grep -aq 'sysrq: Trigger a crash' "$console_txt" &&
     [ -n "${seen[panic_reboot]:-}" ]; then crashed=0; fi
  check pstore_crash "markers written, sysrq-c, the panic resets the guest (panic=5, no kdump)" "$crashed" \
    "$(grep -a -m1 "VMCAP-E2E boot=1 crashing" "$console_txt" || echo 'no crashing line'); $(grep -a -m1 -o 'Kernel panic - not syncing: sysrq triggered crash' "$console_txt" || echo 'no panic line'); $(grep -a -m1 -o 'Rebooting in [0-9]* seconds' "$console_txt" || echo 'no reset'); $(grep -ac 'vmcap-e2e marker' "$console_txt" || true) marker lines"
  check_ramoops pstore_ramoops_boot2 2
  check_pstore_upload pstore_upload pstore
  check_pstore_boot pstore 2
  check_poweroff pstore_poweroff
  pstore_times pstore 2
}

# the_pstore_config FILE BASE: BASE (a config) with pstore = yes among its global keys.
with_pstore_yes() {
  awk 'BEGIN { done = 0 } /^\[/ && !done { print "pstore = yes"; done = 1 } { print } END { if (!done) print "pstore = yes" }' "$2" > "$1"
}

scenario_pstore_failed_capture() {
  local disk=$work/pstore-failed-capture.raw conf=$work/pstore-failed-capture.conf text bad=()
  console=$work/pstore-failed-capture.log
  make_disk "$disk"; the_test_config "$work/test.conf" pstore-failed-capture
  with_pstore_yes "$conf" "$work/test.conf"
  # The capture kernel finds no init and panics (vmcap's capture line has panic=10: it resets).
  printf '[arm]\nappend = rdinit=/vmcap-e2e-nonexistent\n' >> "$conf"
  "$vmcap" check-config "$conf" > "$work/check-config.log" 2>&1 || { cat "$work/check-config.log" >&2; fail "pstore-failed-capture's config does not pass check-config"; }
  write_file "$disk" "$conf" /etc/vmcap.conf
  log "pstore-failed-capture: crashkernel=$crashkernel, pstore = yes, a capture kernel without init; console: $console"
  run_qemu "$disk" "$image_dir/vmlinuz" "$image_dir/initrd.img" "crashkernel=$crashkernel $pstore_append vmcap_e2e=pstore"
  log "pstore-failed-capture: QEMU ended: exit $qemu_rc after ${seen[end]} s"
  check_armed pfc_boot1 1 built
  text=$(boot_text 1)
  grep -qE '^\[arm-journal\] vmcap \[ *[0-9.]+s\] pstore: turned on \(pstore = yes\)' <<<"$text" || bad+=("the journal does not say 'pstore: turned on (pstore = yes)'")
  grep -qiE '^\[status\] .*pstore: .*crash_kexec_post_notifiers (on|=? ?Y)' <<<"$text" || bad+=("vmcap status does not say crash_kexec_post_notifiers is on")
  has "$(lines 1 pstore-params)" "crash_kexec_post_notifiers=Y" || bad+=("crash_kexec_post_notifiers is not Y")
  local found
  found="$(grep -E '^\[arm-journal\] .*pstore|^\[status\] .*pstore' <<<"$text" | sed 's/^/    /'; lines 1 pstore-params | grep post_notifiers | sed 's/^/    /')"
  if ((${#bad[@]})); then check pfc_post_notifiers "boot 1: pstore = yes turned crash_kexec_post_notifiers on, said in the journal and by status" 1 "$(IFS=';'; echo "${bad[*]}")"$'\n'"$found"
  else check pfc_post_notifiers "boot 1: pstore = yes turned crash_kexec_post_notifiers on, said in the journal and by status" 0 $'\n'"$found"; fi
  check_ramoops pfc_ramoops 1
  check_crashed pfc_crash 1
  # The capture kernel: started (kexec), no init, panicked, reset.
  local cap; cap=$(sed -n '/sysrq: Trigger a crash/,/VMCAP-E2E boot=2 report/p' "$console_txt")
  bad=()
  grep -aq 'Linux version' <<<"$cap" || bad+=("no capture kernel started")
  grep -aqE 'Kernel panic - not syncing: (No working init|VFS: Unable to mount root|Requested init|Attempted to kill init)' <<<"$cap" || bad+=("the capture kernel did not panic for want of init")
  grep -aq 'Rebooting in 10 seconds' <<<"$cap" || bad+=("the capture kernel did not reset itself (panic=10)")
  grep -aqE '^vmcap \[ *[0-9.]+s\] (core: sent|done)' <<<"$cap" && bad+=("vmcap ran in the capture kernel")
  found="$(grep -aE 'Command line:|Failed to execute|Kernel panic - not syncing|Rebooting in|/vmcap-e2e-nonexistent' <<<"$cap" | sed 's/^/    /')"
  if ((${#bad[@]})); then check pfc_capture_failed "the capture kernel found no init, panicked and reset" 1 "$(IFS=';'; echo "${bad[*]}")"$'\n'"$found"
  else check pfc_capture_failed "the capture kernel found no init, panicked and reset" 0 $'\n'"$found"; fi
  check_armed pfc_boot2 2 "up to date"
  check_pstore_upload pfc_upload pstore-failed-capture no-vmcore
  check_pstore_boot pfc 2
  check_poweroff pfc_poweroff
  pstore_times pfc 2
}

scenario_pstore_both() {
  local disk=$work/pstore-both.raw conf=$work/pstore-both.conf
  console=$work/pstore-both.log
  make_disk "$disk"
  debugfs -R "cat /etc/vmcap.conf" "$disk" > "$work/package.conf" 2>/dev/null
  grep -q '^url = file:///var/crash' "$work/package.conf" || fail "the image's /etc/vmcap.conf is not the package's default"
  with_pstore_yes "$conf" "$work/package.conf"
  "$vmcap" check-config "$conf" > "$work/check-config.log" 2>&1 || { cat "$work/check-config.log" >&2; fail "pstore-both's config does not pass check-config"; }
  write_file "$disk" "$conf" /etc/vmcap.conf
  log "pstore-both: crashkernel=$crashkernel, pstore = yes, the package's file:///var/crash: both paths; console: $console"
  run_qemu "$disk" "$image_dir/vmlinuz" "$image_dir/initrd.img" "crashkernel=$crashkernel $pstore_append vmcap_e2e=pstore"
  log "pstore-both: QEMU ended: exit $qemu_rc after ${seen[end]} s"
  check_armed pboth_boot1 1 built
  check_ramoops pboth_ramoops 1
  if has "$(lines 1 pstore-params)" "crash_kexec_post_notifiers=Y"; then
    check pboth_post_notifiers "boot 1: crash_kexec_post_notifiers=Y" 0 ""
  else
    check pboth_post_notifiers "boot 1: crash_kexec_post_notifiers=Y" 1 "$(lines 1 pstore-params | tr '\n' ' ')"
  fi
  check_crashed pboth_crash 1
  check_reboot pboth_capture_reboot
  check_pstore_boot pboth 2
  # Both captures on the system's disk.
  local listing name v_dirs=() p_dirs=() src
  rm -rf "$work/var-crash"; mkdir -p "$work/var-crash"
  listing=$(debugfs -R "ls -p /var/crash" "$disk" 2>/dev/null | awk -F/ '$6 != "." && $6 != ".." && $6 != "" {print $6}')
  for name in $listing; do
    debugfs -R "rdump /var/crash/$name $work/var-crash" "$disk" > /dev/null 2>&1
    src=$(manifest_field "$work/var-crash/$name" 'm.get("source")')
    case "$src" in vmcore) v_dirs+=("$name") ;; pstore) p_dirs+=("$name") ;; esac
  done
  if [ "${#v_dirs[@]}" != 1 ] || [ "${#p_dirs[@]}" != 1 ]; then
    check pboth_two_captures "/var/crash: one vmcore and one pstore capture" 1 "/var/crash holds: $(echo $listing) (vmcore: ${v_dirs[*]:-none}; pstore: ${p_dirs[*]:-none})"
    check_poweroff pboth_poweroff; pstore_times pboth 2; return
  fi
  check pboth_two_captures "/var/crash: one vmcore and one pstore capture" 0 "vmcore ${v_dirs[0]}, pstore ${p_dirs[0]}"
  check_capture pboth_vmcore "$work/var-crash/${v_dirs[0]}" "of the capture kernel in /var/crash"
  local pd=$work/var-crash/${p_dirs[0]} msg logmsg
  if ! msg=$(check_pstore_manifest "$pd" "$(cat "$image_dir/release")" 2>&1); then check pboth_pstore "the pstore capture in /var/crash" 1 "$pd: $msg"
  elif ! logmsg=$(check_log "$pd/dmesg.txt"); then check pboth_pstore "the pstore capture in /var/crash" 1 "$pd: $msg; dmesg.txt: $logmsg"
  else check pboth_pstore "the pstore capture in /var/crash" 0 "$pd: $msg; dmesg.txt: $logmsg"; fi
  local hv hp link
  hv=$(manifest_field "$work/var-crash/${v_dirs[0]}" '(m.get("crash") or {}).get("hash")')
  hp=$(manifest_field "$pd" '(m.get("crash") or {}).get("hash")')
  if [ -n "$hv" ] && [ "$hv" = "$hp" ]; then check pboth_same_hash "the two captures have the same crash.hash" 0 "$hv"
  else check pboth_same_hash "the two captures have the same crash.hash" 1 "vmcore ${hv:-none}, pstore ${hp:-none}"; fi
  # pstore.vmcore_capture: null (not linked yet) is said; present, it must name the vmcore capture.
  link=$(manifest_field "$pd" '(m.get("pstore") or {}).get("vmcore_capture")')
  echo "pboth_vmcore_capture=${link:-null}" >> "$out/results"
  if [ -z "$link" ]; then
    log "pstore-both: the pstore manifest's pstore.vmcore_capture is null (not linked)"
  elif [ "$(basename "$link")" = "${v_dirs[0]}" ]; then
    check pboth_link "pstore.vmcore_capture names the vmcore capture" 0 "$link"
  else
    check pboth_link "pstore.vmcore_capture names the vmcore capture" 1 "$link, the vmcore capture is ${v_dirs[0]}"
  fi
  check_poweroff pboth_poweroff
  pstore_times pboth 2
}

main() {
  local t0 image_s sc
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
  local deb_opt=()
  [ -z "$deb" ] || deb_opt=(--deb "$deb")
  "$script_dir/debian-system-image.sh" --dir "$image_dir" --static-build "$static_build" "${deb_opt[@]}" > /dev/null ||
    fail "debian-system-image.sh failed"
  image_s=$(seconds "$t0" "$(now)")
  log "the system image: $image_dir/image.raw ($(cat "$image_dir/release"), vmcap from its package), ready in $image_s s"
  echo "image_ready_s=$image_s" >> "$out/results"
  work=$out/run
  rm -rf "$work"; mkdir -p "$work"
  start_nginx
  for sc in $scenarios; do
    local ts; ts=$(now)
    "scenario_${sc//-/_}"
    echo "scenario_${sc//-/_}_s=$(seconds "$ts" "$(now)")" >> "$out/results"
  done
  echo "ok=$ok_all" >> "$out/results"
  if [ "$ok_all" = 1 ]; then
    rm -f "$work"/*.raw  # 0.7 GB each; kept when a check failed, to look into
    log "PASS ($(grep -c '=pass$' "$out/results") checks; scenarios: $scenarios)"
  else
    log "FAIL: $(grep '=fail$' "$out/results" | sed 's/^check_//; s/=fail$//' | tr '\n' ' ')(consoles and disks in $work)"; return 1
  fi
}
main
