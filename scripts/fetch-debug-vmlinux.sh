#!/usr/bin/env bash
# fetch-debug-vmlinux.sh RELEASE DIR: the real vmlinux with debug info of a Debian kernel
# (package linux-image-RELEASE-dbg, ~850 MB) for `crash`, cached as DIR/vmlinux-RELEASE.
# Only that one file is unpacked from the package. Prints the vmlinux path.
set -euo pipefail
release=$1 dir=$2
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)  # absolute: the script changes into it below
out=$dir/vmlinux-$release
if [ -s "$out" ]; then echo "$out"; exit 0; fi
cd "$dir"
pkg=linux-image-$release-dbg
if ! ls "$pkg"_*.deb >/dev/null 2>&1; then
  apt-get download "$pkg" >&2 || { apt-get update -qq >&2 && apt-get download "$pkg" >&2; }
fi
deb=$(ls "$pkg"_*.deb | head -n 1)
# tar stops at the first match; dpkg-deb then dies of the closed pipe, which is expected.
(dpkg-deb --fsys-tarfile "$deb" || true) |
  tar -xO --occurrence=1 "./usr/lib/debug/boot/vmlinux-$release" > "$out.tmp"
[ -s "$out.tmp" ] || { echo "fetch-debug-vmlinux: no vmlinux-$release in $deb" >&2; rm -f "$out.tmp"; exit 1; }
mv "$out.tmp" "$out"
rm -f "$deb"  # 850 MB we no longer need
echo "$out"
