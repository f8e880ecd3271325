#!/usr/bin/env bash
# The main job, end to end on a fresh Debian 12 machine: installs what is needed, builds
# the static vmcap (the one that ships; build/ itself is the sanitized test build), makes real vmcores of a real Debian kernel (a QEMU
# memory dump and a real kdump; cached in build/), runs vmcap on them, and runs the static
# vmcap inside a real kdump capture kernel on /proc/vmcore, then ends on a real installed
# Debian 12 system: vmcap's .deb installed with apt-get, armed by systemd, crashed,
# captured to nginx on the host, rebooted and armed again (scripts/e2e-debian-system.sh).
#   scripts/demo.sh [KERNEL]     KERNEL: 6.1 (default), 5.10 or 6.12
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
build=${VMCAP_BUILD_DIR:-$root/build}
kernel=${1:-6.1}
jobs=$(nproc)
step() { printf '\n== %s\n' "$*"; }

step "installing packages"
scripts/install-deps.sh
step "building the static vmcap (libcurl from Debian's source; cached after the first run)"
static_bin=$(scripts/build-static.sh --build-dir "$build/static" --jobs "$jobs")
vmcap=$static_bin

step "making real vmcores of Debian's $kernel kernel under QEMU (cached after the first run)"
vmcores=$build/test-vmcores
scripts/make-test-vmcore.sh --out "$vmcores" --kernels "$kernel"
dir=$vmcores/$kernel

step "vmcap info on the real kdump vmcore ($dir/kdump.vmcore)"
"$vmcap" info "$dir/kdump.vmcore"
step "vmcap info on QEMU's dump of the same kernel ($dir/qemu.elf)"
"$vmcap" info "$dir/qemu.elf"
step "vmcap info on QEMU's kdump-zlib (flattened) dump"
"$vmcap" info "$dir/qemu-kdump-zlib.flat" | head -12

step "the static vmcap in a real kdump capture kernel: vmcap info /proc/vmcore"
run=$build/demo-capture-run
scripts/make-test-vmcore.sh --capture-run "$(dirname "$static_bin")/vmcap.stripped" --kernel "$kernel" --out "$run" \
  --cache "$vmcores/.cache" -- info /proc/vmcore
cat "$run/run.stdout"
echo "exit status in the capture kernel: $(cat "$run/run.status")"

step "end to end: a real kdump whose capture kernel uploads to nginx on 127.0.0.1 (our image, dracut's, and makedumpfile | nc)"
e2e_status=0
scripts/e2e-kdump.sh --kernel "$kernel" --vmcap "$(dirname "$static_bin")/vmcap.stripped" --out "$build/e2e-kdump" ||
  e2e_status=$?

step "a real Debian 12 system: vmcap's package installed with apt-get, armed by systemd, crashed, captured, rebooted, armed again"
system_status=0
scripts/e2e-debian-system.sh --scenarios loop --vmcap "$(dirname "$static_bin")/vmcap.stripped" \
  --static-build "$build/static" --out "$build/e2e-debian-system" || system_status=$?
system_capture=$(dirname "$(find "$build/e2e-debian-system/nginx/root/upload" -name manifest.json 2>/dev/null | head -n 1)" 2>/dev/null || true)

# The end-to-end verdict again, last: the checks decide the exit status; a timing goal not met
# is a FAIL on the overall line but not in the exit status (timings under TCG are measured).
results=$build/e2e-kdump/results
verdict() { sed -n "s/^$1=//p" "$results" 2>/dev/null | tail -n 1; }
step "demo summary"
echo "vmcap info on the real kdump, QEMU's ELF and kdump-zlib dumps, and /proc/vmcore in a capture kernel: done"
echo "end to end: checks $(verdict checks), timing goals $(verdict timing), overall $(verdict overall)" \
     "(per-path figures and verdicts: $results)"
sys_results=$build/e2e-debian-system/results
echo "real Debian system (package, systemd, crash, capture, reboot, re-arm): $(grep -c '=pass$' "$sys_results" 2>/dev/null || true) checks passed," \
     "$(grep -c '=fail$' "$sys_results" 2>/dev/null || true) failed; boot to armed $(sed -n 's/^boot1_armed_guest_s=//p' "$sys_results" 2>/dev/null) s," \
     "panic to the capture kernel's reboot $(sed -n 's/^panic_to_reboot_s=//p' "$sys_results" 2>/dev/null) s, whole loop $(sed -n 's/^host_end_s=//p' "$sys_results" 2>/dev/null) s ($sys_results)"
echo "the capture landed in: ${system_capture:-nowhere (see $build/e2e-debian-system/run)}"
[ "$e2e_status" = 0 ] || exit "$e2e_status"
exit "$system_status"
