#!/usr/bin/env bash
# A real Debian 12 (bookworm) system for the end-to-end tests, as a raw ext4 image that QEMU
# boots directly (no bootloader: -kernel/-initrd from the image's /boot, root=/dev/vda).
#
#   scripts/debian-system-image.sh [--dir DIR] [--deb FILE] [--static-build DIR] [--size SIZE]
#
# What it holds:
#   - mmdebstrap --variant=minbase bookworm from deb.debian.org (main only, no recommends),
#     plus systemd, systemd-sysv, udev, kmod, initramfs-tools and Debian's 6.1 kernel
#     (linux-image-amd64); the initrd is the one initramfs-tools makes inside it. No grub,
#     no kexec-tools (vmcap loads with kexec_file_load itself; kexec-tools would also take
#     over reboots with its kexec-load.service).
#   - vmcap's package, installed as a user does: `apt-get install ./vmcap_*.deb` inside the
#     system (chroot). --deb names it; by default scripts/build-deb.sh makes it (from
#     --static-build, default build/static). Its maintainer scripts enable vmcap-arm.service
#     and vmcap-arm.path; /etc/vmcap.conf is the package's default (file:///var/crash; the
#     test writes its own into its copy of the image with debugfs where it needs another).
#     The .deb stays as /root/vmcap.deb, for the test's upgrade inside the guest.
#   - systemd-networkd with DHCP, /etc/fstab for the root, and the test unit
#     vmcap-e2e.service (scripts/e2e/debian-system/: reports the arming on the serial
#     console, then does what the kernel command line's vmcap_e2e= plan says).
#
# Cached in DIR (default <repo>/build/debian-system):
#   base/       the mmdebstrap tree, remade only when its recipe (suite, packages, options)
#               changes: base.key;
#   image.raw   the system (sparse, SIZE, default 3G), remade when this script, the base,
#               the .deb or scripts/e2e/debian-system/ change: image.key;
#   vmlinuz, initrd.img, release: the image's kernel and initrd, for QEMU's -kernel/-initrd.
# Standard output: DIR. Timings in DIR/timings (key=value). Needs root (mmdebstrap's root
# mode, the image's file owners), network for the base (deb.debian.org only), and
# (scripts/packages/qemu.txt) mmdebstrap, e2fsprogs, cmake, and what scripts/build-deb.sh needs.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$script_dir/.." && pwd)
self=$script_dir/$(basename "${BASH_SOURCE[0]}")
e2e_files=$script_dir/e2e/debian-system
archive=http://deb.debian.org/debian
dir=$root/build/debian-system
static_build=$root/build/static
deb=
size=3G

while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir=$2; shift 2 ;;
    --static-build) static_build=$2; shift 2 ;;
    --deb) deb=$(realpath "$2"); shift 2 ;;
    --size) size=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "debian-system-image.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

log() { echo "[debian-system-image $(date +%T)] $*" >&2; }
fail() { log "ERROR: $*"; exit 1; }

[ "$(id -u)" = 0 ] || fail "needs root (mmdebstrap's root mode; the image's files belong to root)"
for t in mmdebstrap mkfs.ext4 systemctl sha256sum flock chroot; do
  command -v "$t" >/dev/null || fail "$t missing (scripts/install-deps.sh qemu installs it)"
done
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
exec {lock}>"$dir/.lock"
flock "$lock"
t0=$SECONDS

# ---------------------------------------------------------------- the base system
packages=systemd,systemd-sysv,udev,kmod,initramfs-tools,linux-image-amd64
base_cmd=(mmdebstrap --mode=root --variant=minbase --include="$packages"
  --aptopt='APT::Install-Recommends "false"'
  --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*'
  --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright'
  bookworm)
base_key=$(printf '%s\n' "${base_cmd[@]}" "$archive" | sha256sum | cut -d' ' -f1)
base_seconds=0
if [ -d "$dir/base" ] && [ "$(cat "$dir/base.key" 2>/dev/null)" = "$base_key" ]; then
  log "base: up to date ($dir/base, made by an earlier run; remade when its recipe changes)"
else
  log "base: ${base_cmd[*]} (a few minutes: downloads about 120 MB)"
  rm -rf "$dir/base" "$dir/base.tmp" "$dir/base.key"
  "${base_cmd[@]}" "$dir/base.tmp" "deb $archive bookworm main" > "$dir/mmdebstrap.log" 2>&1 ||
    { tail -n 30 "$dir/mmdebstrap.log" >&2; fail "mmdebstrap failed (log: $dir/mmdebstrap.log)"; }
  mv "$dir/base.tmp" "$dir/base"
  echo "$base_key" > "$dir/base.key"
  base_seconds=$((SECONDS - t0))
  log "base: made in $base_seconds s"
fi
# shellcheck disable=SC2012  # one kernel, plain names
krel=$(ls "$dir/base/lib/modules" | head -n 1)
{ [ -n "$krel" ] && [ -f "$dir/base/boot/vmlinuz-$krel" ] && [ -f "$dir/base/boot/initrd.img-$krel" ]; } ||
  fail "the base has no kernel and initrd in /boot (mmdebstrap log: $dir/mmdebstrap.log)"

# ---------------------------------------------------------------- vmcap's package
t1=$SECONDS
if [ -z "$deb" ]; then
  deb=$("$root/scripts/build-deb.sh" --static-build "$static_build") || fail "scripts/build-deb.sh failed"
fi
[ -f "$deb" ] || fail "no package at $deb"

# The image's key: this script, the base, every installed file and the test unit's files.
image_key=$( {
  echo "script $(sha256sum < "$self")"
  echo "base $base_key size $size"
  echo "deb $(sha256sum < "$deb")"
  (cd "$e2e_files" && sha256sum ./* | LC_ALL=C sort -k2)
} | sha256sum | cut -d' ' -f1)
if [ -f "$dir/image.raw" ] && [ "$(cat "$dir/image.key" 2>/dev/null)" = "$image_key" ]; then
  log "image: up to date ($dir/image.raw, key ${image_key:0:16})"
  echo "cached_seconds=$((SECONDS - t0))" > "$dir/timings.cached"
  echo "$dir"
  exit 0
fi

log "image: the base, then apt-get install ./$(basename "$deb") inside it"
rm -rf "$dir/root" "$dir/image.raw" "$dir/image.key"
cp -a "$dir/base" "$dir/root"
r=$dir/root
# The package as a user installs it: apt-get install ./vmcap_*.deb, inside the system
# (chroot: its maintainer scripts enable the units; with no systemd running they start
# nothing). /root/vmcap.deb stays for the test's upgrade (a reinstall) in the guest.
cp "$deb" "$r/root/vmcap.deb"
chroot "$r" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends /root/vmcap.deb \
  > "$dir/install.log" 2>&1 || { tail -n 30 "$dir/install.log" >&2; fail "apt-get install ./vmcap.deb failed in the image (log: $dir/install.log)"; }
for f in /usr/sbin/vmcap /lib/systemd/system/vmcap-arm.service /lib/systemd/system/vmcap-arm.path \
         /etc/vmcap.conf /etc/kernel/postinst.d/vmcap /usr/share/bash-completion/completions/vmcap; do
  [ -e "$r$f" ] || fail "the package installed no $f (log: $dir/install.log)"
done
for u in vmcap-arm.service vmcap-arm.path vmcap-pstore.service; do
  [ -L "$r/etc/systemd/system/multi-user.target.wants/$u" ] ||
    fail "installing the package did not enable $u (log: $dir/install.log)"
done
"$r/usr/sbin/vmcap" check-config "$r/etc/vmcap.conf" > /dev/null || fail "the package's /etc/vmcap.conf does not pass check-config"
install -D -m 644 "$e2e_files/vmcap-e2e.service" "$r/etc/systemd/system/vmcap-e2e.service"
install -D -m 755 "$e2e_files/vmcap-e2e" "$r/usr/local/lib/vmcap-e2e/vmcap-e2e"
install -D -m 644 "$e2e_files/20-e2e-wired.network" "$r/etc/systemd/network/20-e2e-wired.network"
# Initrds the system makes itself (the test's second kernel package) hold the modules this
# machine needs (MODULES=dep, as many installs set it): MODULES=most costs minutes under TCG.
install -d "$r/etc/initramfs-tools/conf.d"
echo MODULES=dep > "$r/etc/initramfs-tools/conf.d/vmcap-e2e.conf"
echo "/dev/vda / ext4 rw,errors=remount-ro 0 1" > "$r/etc/fstab"
echo vmcap-debian > "$r/etc/hostname"
# A machine id of its own (no first-boot set-up, which would prompt on the console).
systemd-machine-id-setup --root="$r" > /dev/null 2>&1 ||
  od -An -N16 -tx1 /dev/urandom | tr -d ' \n' > "$r/etc/machine-id"
echo >> "$r/etc/machine-id"
systemctl --root="$r" mask systemd-firstboot.service > /dev/null 2>&1 || true
systemctl --root="$r" enable vmcap-e2e.service systemd-networkd.service \
  > "$dir/enable.log" 2>&1 || { cat "$dir/enable.log" >&2; fail "systemctl --root enable failed"; }
for u in vmcap-e2e.service; do
  [ -L "$r/etc/systemd/system/multi-user.target.wants/$u" ] || fail "$u is not enabled (log: $dir/enable.log)"
done

log "image: mkfs.ext4 -d ($size, sparse)"
mkfs.ext4 -q -F -L vmcap-root -d "$r" "$dir/image.raw.tmp" "$size" > "$dir/mkfs.log" 2>&1 ||
  { cat "$dir/mkfs.log" >&2; fail "mkfs.ext4 -d failed"; }
mv "$dir/image.raw.tmp" "$dir/image.raw"
cp "$r/boot/vmlinuz-$krel" "$dir/vmlinuz"
cp "$r/boot/initrd.img-$krel" "$dir/initrd.img"
echo "$krel" > "$dir/release"
rm -rf "$r"
echo "$image_key" > "$dir/image.key"
log "image: $dir/image.raw ($krel; $(du -h "$dir/image.raw" | cut -f1) used of $size), made in $((SECONDS - t1)) s"
echo "base_seconds=$base_seconds image_seconds=$((SECONDS - t1)) total_seconds=$((SECONDS - t0))" > "$dir/timings"
echo "$dir"
