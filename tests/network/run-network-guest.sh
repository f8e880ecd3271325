#!/usr/bin/env bash
# Boots one of Debian's real kernels in QEMU (TCG) with a NIC on QEMU user
# networking and a tiny initramfs whose /init is tests/network's static network_guest_init,
# which brings the network up with vmcap_network and fetches a file from a python3 HTTP
# server on the host's 127.0.0.1 (10.0.2.2 from the guest). The test reads the console.
#
#   run-network-guest.sh INIT_BINARY OUT_DIR KERNEL_CACHE MODE [KERNEL]
#
# MODE: dhcp (a virtio-net NIC; the bring-up twice), static (an e1000 NIC; 10.0.2.15/24 via 10.0.2.2, dns
# 10.0.2.3): two drivers, two ways; or silent: DHCP with a 4 s timeout on a link where nobody
# answers (QEMU's socket netdev sending to a 127.0.0.1 UDP port nobody reads), after a
# bring-up on a missing interface. OUT_DIR gets:
# console.log, payload.bin (what the server served), qemu.status (QEMU's exit status),
# nic.pcap (every frame of the NIC, as QEMU saw it).
# KERNEL_CACHE: scripts/debian-kernel.sh's --cache (the kernel is downloaded once).
# KERNEL: 5.10, 6.1 (default) or 6.12 (modules .ko.xz, virtio_pci built in); all three pass.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin
[ $# -eq 4 ] || [ $# -eq 5 ] ||
  { echo "usage: run-network-guest.sh INIT_BINARY OUT_DIR KERNEL_CACHE dhcp|static|silent [KERNEL]" >&2; exit 2; }
init_binary=$1 out=$2 cache=$3 mode=$4 kernel=${5:-6.1}
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
fail() { echo "run-network-guest.sh: $*" >&2; exit 1; }
case "$mode" in
  dhcp) net_args="vmcap_net.address=dhcp vmcap_net.repeat=2" nic=virtio-net-pci modules="virtio_pci virtio_net" ;;
  static) net_args="vmcap_net.address=10.0.2.15/24 vmcap_net.gateway=10.0.2.2 vmcap_net.dns=10.0.2.3"
          nic=e1000 modules=e1000 ;;
  silent) net_args="vmcap_net.address=dhcp vmcap_net.timeout=4 vmcap_net.missing=eth9"
          nic=virtio-net-pci modules="virtio_pci virtio_net" ;;
  *) fail "unknown mode $mode" ;;
esac

rm -rf "$out"
mkdir -p "$out/image" "$out/www"
out=$(cd "$out" && pwd)
kroot=$("$root/scripts/debian-kernel.sh" --cache "$cache" "$kernel")
krel=$(ls "$kroot/lib/modules")
vmlinuz=$kroot/boot/vmlinuz-$krel
moddir=$kroot/lib/modules/$krel

# The NIC's modules with their dependencies first (modules.dep), in load order.
declare -A added=()
order=()
add_module() {
  local name=$1 line path dep
  if ! line=$(grep -E "(^|/)${name}\.ko(\.xz|\.zst)?:" "$moddir/modules.dep" | head -n 1); then
    # built into this kernel (6.12 has virtio_pci built in)
    grep -qE "(^|/)${name}\.ko$" "$moddir/modules.builtin" && return 0
    fail "module $name neither in $moddir/modules.dep nor built in"
  fi
  path=${line%%:*}
  [ -n "${added[$path]:-}" ] && return 0
  for dep in ${line#*:}; do
    dep=$(basename "$dep"); dep=${dep%%.ko*}
    add_module "$dep"
  done
  added[$path]=1
  order+=("$path")
}
for m in $modules; do add_module "$m"; done
mkdir -p "$out/image/lib/modules" "$out/image/proc" "$out/image/sys" "$out/image/dev" "$out/image/etc"
: > "$out/image/modules.list"
for path in "${order[@]}"; do
  name=$(basename "$path"); base=${name%%.ko*}.ko
  case "$name" in
    *.ko.xz) xz -dc "$moddir/$path" > "$out/image/lib/modules/$base" ;;
    *.ko.zst) zstd -q -dc "$moddir/$path" > "$out/image/lib/modules/$base" ;;
    *) cp "$moddir/$path" "$out/image/lib/modules/$base" ;;
  esac
  echo "/lib/modules/$base" >> "$out/image/modules.list"
done
strip -o "$out/image/init" "$init_binary" 2>/dev/null || cp "$init_binary" "$out/image/init"  # 6.5 -> 1.9 MB
chmod 755 "$out/image/init"
(cd "$out/image" && find . -print0 | cpio --null -o -H newc --quiet) > "$out/initramfs.cpio"

# What the guest fetches: 192 KiB of random bytes (several TCP windows).
head -c 196608 /dev/urandom > "$out/www/payload.bin"
cp "$out/www/payload.bin" "$out/payload.bin"
: > "$out/http.log"  # before the server starts: the poll below reads it at once
python3 -u -m http.server --bind 127.0.0.1 --directory "$out/www" 0 > "$out/http.log" 2>&1 &
server=$!
trap 'kill "$server" 2>/dev/null || true' EXIT
port=
for _ in $(seq 100); do
  port=$(sed -n 's/.* port \([0-9]*\) .*/\1/p' "$out/http.log" | head -n 1 || true)
  [ -n "$port" ] && break
  sleep 0.1
done
[ -n "$port" ] || fail "python3 http.server did not start: $(cat "$out/http.log")"

netdev="user,id=n0"
if [ "$mode" = silent ]; then
  # frames go to a UDP port on 127.0.0.1 that nothing reads: a link without a DHCP server
  netdev="socket,id=n0,udp=127.0.0.1:9,localaddr=127.0.0.1:0"
fi
status=0
timeout 240 qemu-system-x86_64 -accel tcg -smp 1 -m 256M -display none -vga none -no-reboot \
  -kernel "$vmlinuz" -initrd "$out/initramfs.cpio" \
  -append "console=ttyS0 panic=-1 loglevel=4 $net_args vmcap_net.url=http://10.0.2.2:$port/payload.bin" \
  -netdev "$netdev" -device "$nic,netdev=n0" -object "filter-dump,id=f0,netdev=n0,file=$out/nic.pcap" \
  -serial "file:$out/console.log" -monitor none || status=$?
echo "$status" > "$out/qemu.status"
echo "run-network-guest.sh: $mode: QEMU exited $status; console in $out/console.log"
