#!/usr/bin/env bash
# Newer makedumpfile as an oracle: bookworm's 1.7.2 is wrong on 6.6+ kernels (THP tails, slab
# pages), trixie's 1.7.6 excludes no free pages on 6.12, sid's 1.7.8 is right. Their libc is
# newer than the host's, so they run in a `debootstrap --variant=minbase trixie` chroot:
# makedumpfile from trixie installed there with apt (its libraries come with it), and sid's
# .deb unpacked beside it in /opt/makedumpfile-sid (same sonames as trixie's).
#
# Usage:
#   scripts/makedumpfile-chroot.sh setup [--dir DIR]
#       Makes DIR (default <repo>/build/makedumpfile-chroot) once; cached: remade only when
#       this script changes (DIR/.stamp). Prints the versions. Needs root and network
#       (deb.debian.org only).
#   scripts/makedumpfile-chroot.sh run [--dir DIR] 1.7.6|1.7.8|trixie|sid [MAKEDUMPFILE ARGS...]
#       Runs that makedumpfile inside the chroot. The working folder and every folder of a
#       path argument (an existing folder, or the folder of a file) are bind-mounted at their
#       own paths in a private mount namespace (nothing stays mounted): host paths work.
#   scripts/makedumpfile-chroot.sh path [--dir DIR] 1.7.8    prints the binary's chroot path
#
# Cost seen on the 2-core machine: see the setup timing printed at the end (setup_seconds).
# Needs (scripts/packages/qemu.txt): debootstrap; util-linux (unshare, mount); coreutils.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$script_dir/.." && pwd)
self=$script_dir/$(basename "${BASH_SOURCE[0]}")
archive=http://deb.debian.org/debian
dir=$root/build/makedumpfile-chroot

fail() { echo "makedumpfile-chroot: $*" >&2; exit 1; }
log() { echo "[makedumpfile-chroot $(date +%H:%M:%S)] $*" >&2; }

[ $# -ge 1 ] || fail "usage: $0 setup|run|path [--dir DIR] ..."
cmd=$1; shift
if [ "${1:-}" = --dir ]; then dir=$2; shift 2; fi
sysroot=$dir/trixie

binary_of() {
  case $1 in
    1.7.6|trixie) echo /usr/bin/makedumpfile ;;
    1.7.8|sid) echo /opt/makedumpfile-sid/usr/bin/makedumpfile ;;
    *) fail "unknown makedumpfile '$1' (1.7.6|trixie or 1.7.8|sid)" ;;
  esac
}

# Runs a command in the chroot with /proc and /dev, plus the given host folders bind-mounted
# at their own paths, in a private mount namespace.
in_chroot() {
  local binds=$1; shift
  unshare --mount --propagation private -- env cwd="${cwd:-/}" /bin/sh -euc '
    sysroot=$1; binds=$2; shift 2
    mount -t proc proc "$sysroot/proc"
    mount --rbind /dev "$sysroot/dev"
    IFS="
"
    for d in $binds; do
      [ -n "$d" ] || continue
      mkdir -p "$sysroot$d"
      mount --bind "$d" "$sysroot$d"
    done
    exec chroot "$sysroot" /usr/bin/env -i -C "$cwd" PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"
  ' in_chroot "$sysroot" "$binds" "$@"
}

stamp_value() { sha256sum "$self" | cut -d' ' -f1; }

setup() {
  [ "$(id -u)" = 0 ] || fail "setup needs root (debootstrap, chroot)"
  for t in debootstrap unshare chroot mount sha256sum; do
    command -v "$t" >/dev/null || fail "$t missing (scripts/install-deps.sh installs debootstrap)"
  done
  mkdir -p "$dir"
  exec {lock}>"$dir/.lock"
  flock "$lock"
  if [ -f "$dir/.stamp" ] && [ "$(cat "$dir/.stamp")" = "$(stamp_value)" ]; then
    log "up to date: $sysroot (made by an earlier run; remade when this script changes)"
    versions
    return
  fi
  local t0=$SECONDS base="debootstrap --variant=minbase trixie $archive"
  rm -f "$dir/.stamp"
  # The base system is kept while only the packages step changes.
  if [ ! -f "$dir/.base" ] || [ "$(cat "$dir/.base")" != "$base" ]; then
    rm -rf "$sysroot" "$dir/.base"
    log "debootstrap --variant=minbase trixie $sysroot"
    debootstrap --variant=minbase trixie "$sysroot" "$archive" >"$dir/debootstrap.log" 2>&1 ||
      { tail -20 "$dir/debootstrap.log" >&2; fail "debootstrap failed (log: $dir/debootstrap.log)"; }
    echo "$base" >"$dir/.base"
  fi
  local t1=$SECONDS
  log "apt-get install makedumpfile (trixie)"
  in_chroot "" sh -c 'DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends makedumpfile' \
    >"$dir/apt-trixie.log" 2>&1 ||
    { tail -20 "$dir/apt-trixie.log" >&2; fail "apt-get install makedumpfile failed"; }
  # sid's package through apt lists of its own (the chroot's sources stay trixie).
  log "makedumpfile from sid into /opt/makedumpfile-sid"
  mkdir -p "$sysroot/var/lib/vmcap-sid/lists/partial" "$sysroot/var/lib/vmcap-sid/debs"
  echo "deb $archive sid main" >"$sysroot/var/lib/vmcap-sid/sources.list"
  in_chroot "" sh -euc '
    o="-o Dir::Etc::SourceList=/var/lib/vmcap-sid/sources.list -o Dir::Etc::SourceParts=/dev/null
       -o Dir::State::Lists=/var/lib/vmcap-sid/lists -o APT::Sandbox::User=root -o Acquire::Check-Valid-Until=false"
    apt-get $o update
    cd /var/lib/vmcap-sid/debs && apt-get $o download makedumpfile
    rm -rf /opt/makedumpfile-sid && mkdir -p /opt/makedumpfile-sid
    dpkg-deb -x /var/lib/vmcap-sid/debs/makedumpfile_*.deb /opt/makedumpfile-sid
    rm -rf /var/lib/vmcap-sid/lists
  ' >"$dir/apt-sid.log" 2>&1 ||
    { tail -20 "$dir/apt-sid.log" >&2; fail "makedumpfile from sid failed (log: $dir/apt-sid.log)"; }
  # Both must start: a library sid links that trixie lacks would show here.
  in_chroot "" "$(binary_of sid)" -v >/dev/null 2>&1 ||
    { in_chroot "" ldd "$(binary_of sid)" >&2 || true;
      fail "sid's makedumpfile does not start in the trixie chroot"; }
  in_chroot "" apt-get clean
  stamp_value >"$dir/.stamp"
  log "made in $((SECONDS - t0)) s (debootstrap $((t1 - t0)) s)"
  echo "setup_seconds=$((SECONDS - t0)) debootstrap_seconds=$((t1 - t0))" >"$dir/timings"
  versions
}

versions() {
  for v in 1.7.6 1.7.8; do
    printf '%s: ' "$v"
    in_chroot "" "$(binary_of "$v")" -v 2>&1 | head -1
  done
}

run() {
  [ $# -ge 1 ] || fail "run: which makedumpfile (1.7.6 or 1.7.8)?"
  local bin; bin=$(binary_of "$1"); shift
  [ -f "$dir/.stamp" ] || fail "no chroot at $dir (run: $0 setup --dir $dir)"
  # The working folder too (relative paths work as on the host).
  local cwd binds="" a d
  cwd=$(pwd -L)
  case $cwd in /|"$sysroot"|"$sysroot"/*) cwd=/ ;; *) binds="$cwd"$'\n' ;; esac
  for a in "$@"; do
    case $a in -*) continue ;; esac
    if [ -d "$a" ]; then d=$a; else d=$(dirname "$a"); fi
    [ -d "$d" ] || continue
    d=$(cd "$d" && pwd -L)  # the path as given: symlinks in it stay on the host side
    case $d in /|"$sysroot"|"$sysroot"/*) continue ;; esac  # never mount over the chroot
    binds+="$d"$'\n'
  done
  in_chroot "$binds" "$bin" "$@"
}

case $cmd in
  setup) setup ;;
  run) run "$@" ;;
  path) echo "$sysroot$(binary_of "${1:-1.7.8}")" ;;
  *) fail "unknown command '$cmd' (setup, run, path)" ;;
esac
