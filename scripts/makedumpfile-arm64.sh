#!/usr/bin/env bash
# makedumpfile of arm64 as the oracle for arm64 dumps: Debian's amd64 makedumpfile reads only
# x86_64 dumps (it is built for its host's architecture), so sid's arm64 makedumpfile (1.7.8)
# runs on this host under qemu-user, with its shared libraries unpacked beside it from sid's
# arm64 packages (`qemu-aarch64-static -L DIR`: the loader and every library come from DIR).
# It is right on 4K and 16K pages with 48-bit VA (5.10, 6.1, 6.12 without LPA2 on 16K); it
# refuses 52-bit VA on 4K and 16K ("PAGE SIZE 0x1000 and VA Bits 52 not supported": Debian's
# 6.12 arm64 kernels), which the tests pin.
#
# Usage:
#   scripts/makedumpfile-arm64.sh setup [--dir DIR]   makes DIR (default
#       <repo>/build/makedumpfile-arm64) once; remade when this script changes (DIR/.stamp).
#       Network: deb.debian.org only, through apt lists of our own (host sources untouched).
#   scripts/makedumpfile-arm64.sh run [--dir DIR] [MAKEDUMPFILE ARGS...]
#   scripts/makedumpfile-arm64.sh command [--dir DIR]  prints the command line that runs it
#
# Needs: apt-get, dpkg-deb, qemu-aarch64-static (scripts/packages/cross.txt).
set -euo pipefail
script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$script_dir/.." && pwd)
self=$script_dir/$(basename "${BASH_SOURCE[0]}")
archive=http://deb.debian.org/debian
dir=$root/build/makedumpfile-arm64
# The package and the libraries its binary links (readelf -d NEEDED, closed over): the rest
# of its dependencies (perl for makedumpfile-R.pl) are not needed to run it.
packages="makedumpfile libc6 libgcc-s1 libbz2-1.0 libdw1t64 libelf1t64 liblzma5 liblzo2-2 libzstd1 zlib1g"

fail() { echo "makedumpfile-arm64: $*" >&2; exit 1; }
log() { echo "[makedumpfile-arm64 $(date +%H:%M:%S)] $*" >&2; }

[ $# -ge 1 ] || fail "usage: $0 setup|run|command [--dir DIR] ..."
cmd=$1; shift
if [ "${1:-}" = --dir ]; then dir=$2; shift 2; fi
sysroot=$dir/root
qemu=$(command -v qemu-aarch64-static || true)

stamp_value() { sha256sum "$self" | cut -d' ' -f1; }

apt_opts() {
  echo "-q -o APT::Architecture=arm64 -o APT::Architectures=arm64" \
       "-o Dir::Etc::SourceList=$dir/apt/sources.list -o Dir::Etc::SourceParts=/dev/null" \
       "-o Dir::State::Lists=$dir/apt/lists -o Dir::Cache=$dir/apt/cache -o Dir::Cache::pkgcache=" \
       "-o Dir::Cache::srcpkgcache= -o APT::Sandbox::User=root -o Acquire::Check-Valid-Until=false"
}

setup() {
  [ -n "$qemu" ] || fail "qemu-aarch64-static missing (scripts/install-deps.sh cross installs qemu-user-static)"
  mkdir -p "$dir"
  exec {lock}>"$dir/.lock"
  flock "$lock"
  if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$(stamp_value)" ]; then
    log "up to date: $sysroot"
    version
    return
  fi
  local t0=$SECONDS
  rm -rf "$dir/.stamp" "$sysroot" "$dir/apt" "$dir/debs"
  mkdir -p "$dir/apt/lists/partial" "$dir/apt/cache/archives/partial" "$dir/debs" "$sysroot"
  echo "deb [trusted=yes] $archive sid main" >"$dir/apt/sources.list"
  # shellcheck disable=SC2046
  apt-get $(apt_opts) update >"$dir/apt.log" 2>&1 ||
    { tail -20 "$dir/apt.log" >&2; fail "apt-get update (sid, arm64) failed (log: $dir/apt.log)"; }
  # shellcheck disable=SC2046,SC2086
  (cd "$dir/debs" && apt-get $(apt_opts) download $packages) >>"$dir/apt.log" 2>&1 ||
    { tail -20 "$dir/apt.log" >&2; fail "apt-get download failed (log: $dir/apt.log)"; }
  local deb
  for deb in "$dir"/debs/*.deb; do dpkg-deb -x "$deb" "$sysroot"; done
  # sid is merged-/usr: the loader's path in the binary is /lib/ld-linux-aarch64.so.1.
  for d in bin sbin lib; do [ -e "$sysroot/$d" ] || ln -s "usr/$d" "$sysroot/$d"; done
  rm -rf "$dir/apt"
  "$qemu" -L "$sysroot" "$sysroot/usr/bin/makedumpfile" -v >/dev/null 2>&1 ||
    fail "sid's arm64 makedumpfile does not start under $qemu -L $sysroot"
  stamp_value >"$dir/.stamp"
  log "made in $((SECONDS - t0)) s"
  echo "setup_seconds=$((SECONDS - t0))" >"$dir/timings"
  version
}

command_line() { echo "$qemu -L $sysroot $sysroot/usr/bin/makedumpfile"; }

version() { $(command_line) -v 2>&1 | head -1; }

case $cmd in
  setup) setup ;;
  run)
    [ -f "$dir/.stamp" ] || fail "not made: $dir (run: $0 setup --dir $dir)"
    exec $(command_line) "$@" ;;
  command)
    [ -f "$dir/.stamp" ] || fail "not made: $dir (run: $0 setup --dir $dir)"
    command_line ;;
  *) fail "unknown command '$cmd' (setup, run, command)" ;;
esac
