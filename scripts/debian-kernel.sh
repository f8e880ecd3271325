#!/usr/bin/env bash
# Downloads one of Debian's real kernels (linux-image-amd64 of a suite) and extracts it whole:
# vmlinuz, config, System.map and the full module tree (depmod run). Prints the folder.
#
#   scripts/debian-kernel.sh [--cache DIR] [--refresh] KERNEL      KERNEL: 5.10, 6.1, 6.12 or 6.1-cloud
#
# 6.1-cloud is bookworm's cloud flavour (linux-image-cloud-amd64: the virtual machines'
# drivers only, a quarter of the size): the second kernel package of the real-system test.
# arm64 kernels: 5.10-arm64, 6.1-arm64, 6.12-arm64 (linux-image-arm64 of the same suites) and
# 6.12-arm64-16k (linux-image-arm64-16k), from apt lists for architecture arm64; their
# vmlinuz is an uncompressed Image and System.map a placeholder (Debian ships the real one
# in the -dbg package).
#
# The folder holds boot/vmlinuz-KREL and lib/modules/KREL/ (modules as Debian ships them:
# .ko on 5.10 and 6.1, .ko.xz on 6.12). Cached in DIR (default build/test-vmcores/.cache, the
# cache scripts/make-test-vmcore.sh uses, so a downloaded .deb serves both). Network:
# deb.debian.org only, through apt lists of our own (the host's sources are untouched).
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cache=$root/build/test-vmcores/.cache
refresh=0
archive=http://deb.debian.org/debian
while [ $# -gt 0 ]; do
  case "$1" in
    --cache) cache=$2; shift 2 ;;
    --refresh) refresh=1; shift ;;
    -h|--help) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "debian-kernel.sh: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
[ $# -eq 1 ] || { echo "usage: debian-kernel.sh [--cache DIR] [--refresh] KERNEL" >&2; exit 2; }
kver=$1
log() { echo "debian-kernel.sh: $*" >&2; }
fail() { log "$*"; exit 1; }
meta=linux-image-amd64
arch=amd64
case "$kver" in
  5.10) suite=bullseye ;;
  6.1) suite=bookworm ;;
  6.12) suite=bookworm-backports ;;
  6.1-cloud) suite=bookworm; meta=linux-image-cloud-amd64 ;;
  5.10-arm64) suite=bullseye; arch=arm64 ;;
  6.1-arm64) suite=bookworm; arch=arm64 ;;
  6.12-arm64) suite=bookworm-backports; arch=arm64 ;;
  6.12-arm64-16k) suite=bookworm-backports; arch=arm64; meta=linux-image-arm64-16k ;;
  *) fail "unknown kernel $kver (known: 5.10 6.1 6.12 6.1-cloud 5.10-arm64 6.1-arm64 6.12-arm64 6.12-arm64-16k)" ;;
esac
[ "$arch" = arm64 ] && [ "$meta" = linux-image-amd64 ] && meta=linux-image-arm64
mkdir -p "$cache/debs"
cache=$(cd "$cache" && pwd)

# The lists of make-test-vmcore.sh (amd64: apt/SUITE; arm64: apt/SUITE-arm64).
apt_dir=$cache/apt/$suite
[ "$arch" = arm64 ] && apt_dir=$cache/apt/$suite-arm64
apt_opts() {
  local d=$apt_dir
  [ "$arch" = arm64 ] && echo "-o APT::Architecture=arm64 -o APT::Architectures=arm64"
  echo "-q -o Dir::Etc::SourceList=$d/sources.list -o Dir::Etc::SourceParts=/dev/null" \
       "-o Dir::State::Lists=$d/lists -o Dir::Cache=$d/cache -o Dir::Cache::pkgcache=" \
       "-o Dir::Cache::srcpkgcache= -o APT::Sandbox::User=root"
}

# The same lock and the same remembered package as make-test-vmcore.sh.
exec {lock}>"$cache/$kver.lock"
flock "$lock"
pick=$cache/debs/$kver.deb-name
if [ "$refresh" = 1 ] || [ ! -f "$pick" ] || [ ! -f "$cache/debs/$(cat "$pick")" ]; then
  d=$apt_dir
  # make-test-vmcore.sh updates the arm64 lists under this lock too.
  [ "$arch" = arm64 ] && { exec {slock}>"$cache/apt-$suite-arm64.lock"; flock "$slock"; }
  mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
  echo "deb [trusted=yes] $archive $suite main" > "$d/sources.list"
  # shellcheck disable=SC2046
  apt-get $(apt_opts) update >"$d/update.log" 2>&1 ||
    { cat "$d/update.log" >&2; fail "apt-get update ($suite) failed"; }
  # shellcheck disable=SC2046
  pkg=$(apt-cache $(apt_opts) depends "$meta" |
        awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ {print $2; exit}')
  [ -n "$pkg" ] || fail "cannot resolve $meta in $suite"
  log "$kver: downloading $pkg ($suite)"
  # shellcheck disable=SC2046
  (cd "$cache/debs" && apt-get $(apt_opts) download "$pkg" >"$d/download.log" 2>&1) ||
    { cat "$d/download.log" >&2; fail "apt-get download $pkg failed"; }
  # shellcheck disable=SC2012  # Debian package file names are plain
  (cd "$cache/debs" && ls -t "${pkg}"_*_"$arch".deb | head -n 1) > "$pick"
else
  log "$kver: up to date ($(cat "$pick"), downloaded by an earlier run; --refresh checks for a newer one)"
fi
deb=$cache/debs/$(cat "$pick")
kroot=$cache/kernels-full/$(basename "$deb" .deb)
if [ ! -f "$kroot/.ok" ]; then
  rm -rf "$kroot"
  mkdir -p "$kroot"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$kroot" --wildcards './boot/*' './lib/modules/*' ||
    fail "extracting $deb failed"
  krel=$(ls "$kroot/lib/modules")
  depmod -b "$kroot" "$krel" 2>"$kroot/depmod.log" || fail "depmod failed for $krel"
  touch "$kroot/.ok"
  log "$kver: extracted $krel into $kroot"
fi
echo "$kroot"
