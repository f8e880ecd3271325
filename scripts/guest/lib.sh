# shellcheck shell=dash
# Shell functions shared by the guest /init scripts (busybox ash). Sourced, not run.
# Installed in the initramfs as /lib/vmcap/lib.sh by scripts/make-test-vmcore.sh.

# Console messages go to the serial console the host reads (console.log).
say() { echo "vmcap-guest: $*" > /dev/console; }

die() {
  say "FATAL: $*"
  echo "VMCAP-FAILED $*" > /dev/console
  sync
  # panic=-1 on the command line and -no-reboot on QEMU's: the machine stops here.
  reboot -f
  sleep 1000000
}

# Mount the pseudo file systems and put busybox's applets on PATH.
setup_base() {
  /bin/busybox mkdir -p /proc /sys /dev /tmp /out /usr/bin /usr/sbin /sbin
  /bin/busybox --install -s
  export PATH=/sbin:/usr/sbin:/bin:/usr/bin
  mount -t proc proc /proc
  mount -t sysfs sysfs /sys
  mount -t devtmpfs devtmpfs /dev 2>/dev/null || mdev -s
}

# param NAME [DEFAULT]: value of vmcap.NAME=VALUE on the kernel command line.
param() {
  local w
  for w in $(cat /proc/cmdline); do
    case "$w" in
      "vmcap.$1="*) echo "${w#"vmcap.$1="}"; return 0 ;;
    esac
  done
  echo "$2"
}

# Load the modules listed, in dependency order, in /lib/vmcap/modules (one file name a line;
# written by the host from modules.dep; xz modules are already decompressed).
load_modules() {
  local m
  [ -f /lib/vmcap/modules ] || return 0
  while read -r m; do
    [ -n "$m" ] || continue
    insmod "/lib/vmcap/ko/$m" 2>/tmp/insmod.err || {
      grep -q 'File exists' /tmp/insmod.err || say "insmod $m failed: $(cat /tmp/insmod.err)"
    }
  done < /lib/vmcap/modules
}

# wait_for PATH SECONDS
wait_for() {
  local i=0
  while [ ! -e "$1" ]; do
    i=$((i + 1))
    [ "$i" -gt $(($2 * 10)) ] && return 1
    usleep 100000
  done
  return 0
}

# Copy every record /dev/kmsg holds, in /dev/kmsg's own format, to FILE. Reading /dev/kmsg
# blocks at the end of the log and busybox has no non-blocking read, so read in the
# background (bs=64k: one record a read, never short) and stop when the file stops growing.
dump_kmsg() {
  local out=$1 pid last=-1 size stable=0
  dd if=/dev/kmsg of="$out" bs=65536 2>/dev/null &
  pid=$!
  while [ "$stable" -lt 3 ]; do
    usleep 200000
    size=$(ls -ln "$out" | awk '{print $5}')
    if [ "$size" = "$last" ]; then stable=$((stable + 1)); else stable=0; fi
    last=$size
  done
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  return 0
}

# Write the files in DIR as a tar stream at byte offset OFFSET_MIB MiB of the raw disk.
save_dir_to_disk() {
  local dir=$1 offset_mib=$2 disk=${3:-/dev/vda}
  tar -cf - -C "$dir" . | dd of="$disk" bs=1M seek="$offset_mib" conv=notrunc,fsync 2>/dev/null ||
    die "cannot write $dir to $disk"
  sync
}

find_disk() {
  wait_for /dev/vda 20 || die "no /dev/vda (virtio-blk) after 20 s"
}
