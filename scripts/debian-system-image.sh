#!/usr/bin/env bash
# A real Debian 12 (bookworm) system for the end-to-end tests, as a raw ext4 image that QEMU
# boots directly (no bootloader: -kernel/-initrd from the image's /boot, root=/dev/vda).
#
#   scripts/debian-system-image.sh [--dir DIR] [--static-build DIR] [--size SIZE]
#
# What it holds:
#   - mmdebstrap --variant=minbase bookworm from deb.debian.org (main only, no recommends),
#     plus systemd, systemd-sysv, udev, kmod, initramfs-tools and Debian's 6.1 kernel
#     (linux-image-amd64); the initrd is the one initramfs-tools makes inside it. No grub,
#     no kexec-tools (vmcap loads with kexec_file_load itself; kexec-tools would also take
#     over reboots with its kexec-load.service).
#   - vmcap as `cmake --install --strip` of the static build puts it (DESTDIR = the image's
#     root; the build's prefix /usr/local: /usr/local/sbin/vmcap and the units in
#     /usr/local/lib/systemd/system, the kernel hooks in /etc/kernel, the udev rule in
#     /usr/lib/udev/rules.d, the dracut module). The .deb of issue 16 replaces this later.
#   - vmcap-arm.service and vmcap-arm.path enabled (`systemctl --root`), a placeholder
#     /etc/vmcap.conf (the test writes its own into its copy of the image with debugfs),
#     systemd-networkd with DHCP, /etc/fstab for the root, and the test unit
#     vmcap-e2e.service (scripts/e2e/debian-system/: reports the arming on the serial
#     console, crashes on the first boot, powers off on the next).
#
# Cached in DIR (default <repo>/build/debian-system):
#   base/       the mmdebstrap tree, remade only when its recipe (suite, packages, options)
#               changes: base.key;
#   image.raw   the system (sparse, SIZE, default 3G), remade when this script, the base,
#               the installed vmcap tree or scripts/e2e/debian-system/ change: image.key;
#   vmlinuz, initrd.img, release: the image's kernel and initrd, for QEMU's -kernel/-initrd.
# Standard output: DIR. Timings in DIR/timings (key=value). Needs root (mmdebstrap's root
# mode, the image's file owners), network for the base (deb.debian.org only), and
# (scripts/packages/qemu.txt) mmdebstrap, e2fsprogs, cmake.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$script_dir/.." && pwd)
self=$script_dir/$(basename "${BASH_SOURCE[0]}")
e2e_files=$script_dir/e2e/debian-system
archive=http://deb.debian.org/debian
dir=$root/build/debian-system
static_build=$root/build/static
size=3G

while [ $# -gt 0 ]; do
  case "$1" in
    --dir) dir=$2; shift 2 ;;
    --static-build) static_build=$2; shift 2 ;;
    --size) size=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/{/^#/p}' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "debian-system-image.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

log() { echo "[debian-system-image $(date +%T)] $*" >&2; }
fail() { log "ERROR: $*"; exit 1; }

[ "$(id -u)" = 0 ] || fail "needs root (mmdebstrap's root mode; the image's files belong to root)"
for t in mmdebstrap mkfs.ext4 cmake systemctl sha256sum flock; do
  command -v "$t" >/dev/null || fail "$t missing (scripts/install-deps.sh qemu installs it)"
done
[ -f "$static_build/cmake_install.cmake" ] || fail "no static build in $static_build (scripts/build-static.sh)"
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

# ---------------------------------------------------------------- vmcap, as cmake --install puts it
t1=$SECONDS
rm -rf "$dir/stage"
DESTDIR=$dir/stage cmake --install "$static_build" --strip > "$dir/install.log" 2>&1 ||
  { cat "$dir/install.log" >&2; fail "cmake --install $static_build failed"; }
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$static_build/CMakeCache.txt")
for f in "$prefix/sbin/vmcap" "$prefix/lib/systemd/system/vmcap-arm.service" \
         "$prefix/lib/systemd/system/vmcap-arm.path" /etc/kernel/postinst.d/vmcap; do
  [ -e "$dir/stage$f" ] || fail "cmake --install put no $f (install log: $dir/install.log)"
done
grep -q "^ExecStart=$prefix/sbin/vmcap arm\$" "$dir/stage$prefix/lib/systemd/system/vmcap-arm.service" ||
  fail "vmcap-arm.service does not run $prefix/sbin/vmcap"

# The image's key: this script, the base, every installed file and the test unit's files.
image_key=$( {
  echo "script $(sha256sum < "$self")"
  echo "base $base_key size $size"
  (cd "$dir/stage" && find . -type f -exec sha256sum {} + | LC_ALL=C sort -k2)
  (cd "$dir/stage" && find . -type l -printf '%p -> %l\n' | LC_ALL=C sort)
  (cd "$e2e_files" && sha256sum ./* | LC_ALL=C sort -k2)
} | sha256sum | cut -d' ' -f1)
if [ -f "$dir/image.raw" ] && [ "$(cat "$dir/image.key" 2>/dev/null)" = "$image_key" ]; then
  log "image: up to date ($dir/image.raw, key ${image_key:0:16})"
  rm -rf "$dir/stage"
  echo "cached_seconds=$((SECONDS - t0))" > "$dir/timings.cached"
  echo "$dir"
  exit 0
fi

log "image: the base, vmcap installed, the units enabled"
rm -rf "$dir/root" "$dir/image.raw" "$dir/image.key"
cp -a "$dir/base" "$dir/root"
r=$dir/root
cp -a "$dir/stage/." "$r/"
rm -rf "$dir/stage"
cat > "$r/etc/vmcap.conf" <<EOF
# Placeholder: scripts/e2e-debian-system.sh writes the test's config into its copy of the image.
fallback_path = none
[destination placeholder]
url = http://10.0.2.2:9/upload/debian
method = put
EOF
"$r$prefix/sbin/vmcap" check-config "$r/etc/vmcap.conf" >&2 || fail "the placeholder /etc/vmcap.conf does not pass check-config"
install -D -m 644 "$e2e_files/vmcap-e2e.service" "$r/etc/systemd/system/vmcap-e2e.service"
install -D -m 755 "$e2e_files/vmcap-e2e" "$r/usr/local/lib/vmcap-e2e/vmcap-e2e"
install -D -m 644 "$e2e_files/20-e2e-wired.network" "$r/etc/systemd/network/20-e2e-wired.network"
echo "/dev/vda / ext4 rw,errors=remount-ro 0 1" > "$r/etc/fstab"
echo vmcap-debian > "$r/etc/hostname"
# A machine id of its own (no first-boot set-up, which would prompt on the console).
systemd-machine-id-setup --root="$r" > /dev/null 2>&1 ||
  od -An -N16 -tx1 /dev/urandom | tr -d ' \n' > "$r/etc/machine-id"
echo >> "$r/etc/machine-id"
systemctl --root="$r" mask systemd-firstboot.service > /dev/null 2>&1 || true
systemctl --root="$r" enable vmcap-arm.service vmcap-arm.path vmcap-e2e.service systemd-networkd.service \
  > "$dir/enable.log" 2>&1 || { cat "$dir/enable.log" >&2; fail "systemctl --root enable failed"; }
for u in vmcap-arm.service vmcap-arm.path vmcap-e2e.service; do
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
