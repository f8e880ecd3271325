# shellcheck shell=bash disable=SC2154,SC2034  # the globals of make-test-vmcore.sh
# The arm64 half of scripts/make-test-vmcore.sh, sourced by it (its functions use that
# script's globals: cache, archive, log, fail, now, elapsed). Kept apart so that the x86_64
# tags' cache stamps do not depend on it (their stamp skips scripts/lib/*arm64*).
#
# Everything arm64 comes from deb.debian.org through apt lists of our own for architecture
# arm64 (cache/apt/SUITE-arm64): the kernels (linux-image-arm64 and linux-image-arm64-16k of
# a suite) and the guest userland of bookworm (busybox-static, kexec-tools with the shared
# libraries it needs: kexec-tools:arm64 is dynamic and pulls in Xen's libraries).

# arm64_kernel_suite KERNEL: the suite and the metapackage of an arm64 kernel id.
arm64_kernel_suite() {
  case "$1" in
    5.10-arm64) echo "bullseye linux-image-arm64" ;;
    6.1-arm64) echo "bookworm linux-image-arm64" ;;
    6.12-arm64) echo "bookworm-backports linux-image-arm64" ;;
    6.12-arm64-16k) echo "bookworm-backports linux-image-arm64-16k" ;;
    *) fail "unknown arm64 kernel $1 (known: 5.10-arm64 6.1-arm64 6.12-arm64 6.12-arm64-16k)" ;;
  esac
}

arm64_apt_opts() { # SUITE
  local d=$cache/apt/$1-arm64
  echo "-q -o APT::Architecture=arm64 -o APT::Architectures=arm64" \
       "-o Dir::Etc::SourceList=$d/sources.list -o Dir::Etc::SourceParts=/dev/null" \
       "-o Dir::State::Lists=$d/lists -o Dir::Cache=$d/cache -o Dir::Cache::pkgcache=" \
       "-o Dir::Cache::srcpkgcache= -o APT::Sandbox::User=root"
}

# arm64_apt_update SUITE: the suite's arm64 package lists, once per run of the script
# (callers hold the suite's lock).
arm64_apt_update() {
  local d=$cache/apt/$1-arm64
  [ -f "$d/.updated.$main_pid" ] && return 0
  mkdir -p "$d/lists/partial" "$d/cache/archives/partial"
  echo "deb [trusted=yes] $archive $1 main" > "$d/sources.list"
  # shellcheck disable=SC2046
  apt-get $(arm64_apt_opts "$1") update >"$d/update.log" 2>&1 ||
    { cat "$d/update.log" >&2; fail "apt-get update ($1, arm64) failed"; }
  rm -f "$d"/.updated.*
  touch "$d/.updated.$main_pid"
}

# arm64_fetch_kernel KERNEL: downloads the kernel image package once (the pick is remembered
# in cache/debs/KERNEL.deb-name, as for amd64); prints the .deb path. Called under the
# kernel's lock.
arm64_fetch_kernel() {
  local kernel=$1 suite meta pick pkg deb d t0 lock
  read -r suite meta <<< "$(arm64_kernel_suite "$kernel")"
  pick=$cache/debs/$kernel.deb-name
  mkdir -p "$cache/debs"
  if [ "$refresh" = 0 ] && [ -f "$pick" ] && [ -f "$cache/debs/$(cat "$pick")" ]; then
    echo "$cache/debs/$(cat "$pick")"
    return
  fi
  t0=$(now)
  exec {lock}>"$cache/apt-$suite-arm64.lock"
  flock "$lock"
  arm64_apt_update "$suite"
  d=$cache/apt/$suite-arm64
  # shellcheck disable=SC2046
  pkg=$(apt-cache $(arm64_apt_opts "$suite") depends "$meta" |
        awk '$1 == "Depends:" && $2 ~ /^linux-image-[0-9]/ {print $2; exit}')
  [ -n "$pkg" ] || fail "cannot resolve $meta in $suite (arm64)"
  # shellcheck disable=SC2046
  (cd "$cache/debs" && apt-get $(arm64_apt_opts "$suite") download "$pkg" >"$d/download.log" 2>&1) ||
    { cat "$d/download.log" >&2; fail "apt-get download $pkg (arm64) failed"; }
  exec {lock}>&-
  # shellcheck disable=SC2012  # Debian package file names are plain
  deb=$(cd "$cache/debs" && ls -t "${pkg}"_*_arm64.deb | head -n 1)
  echo "$deb" > "$pick"
  log "kernel $kernel: $deb ($(du -m "$cache/debs/$deb" | cut -f1) MB) in $(elapsed "$t0") s"
  echo "$cache/debs/$deb"
}

# The guest userland's packages (bookworm, arm64): busybox-static, and kexec-tools with the
# packages of its dependency closure that hold shared libraries (the rest, debconf and
# friends, are not needed to run /sbin/kexec).
arm64_userland_suite=bookworm

# arm64_userland: sets a64_busybox (static busybox) and a64_kexec_root (a tree holding
# sbin/kexec and exactly the shared libraries it loads, at their paths, with the dynamic
# loader). Cached in cache/arm64-userland/<hash of the package versions>; the package pick
# is remembered (--refresh asks the archive again).
arm64_userland() {
  local lock pick d pkgs dir stage f need lib found t0
  exec {lock}>"$cache/arm64-userland.lock"
  flock "$lock"
  pick=$cache/arm64-userland.debs
  d=$cache/apt/$arm64_userland_suite-arm64
  if [ "$refresh" = 1 ] || [ ! -f "$pick" ] || ! (cd "$cache/debs" && xargs -r ls < "$pick" >/dev/null 2>&1); then
    t0=$(now)
    local slock
    exec {slock}>"$cache/apt-$arm64_userland_suite-arm64.lock"
    flock "$slock"
    arm64_apt_update "$arm64_userland_suite"
    # shellcheck disable=SC2046
    pkgs=$(apt-cache $(arm64_apt_opts "$arm64_userland_suite") depends --recurse --no-recommends \
             --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances kexec-tools |
           awk '/^[a-z0-9]/ && ($1 == "kexec-tools" || $1 ~ /^(lib|zlib)/) {print $1}' | sort -u)
    [ -n "$pkgs" ] || fail "cannot resolve kexec-tools (arm64)"
    mkdir -p "$cache/debs"
    # shellcheck disable=SC2046,SC2086
    (cd "$cache/debs" && apt-get $(arm64_apt_opts "$arm64_userland_suite") download busybox-static $pkgs \
       >"$d/download-userland.log" 2>&1) ||
      { cat "$d/download-userland.log" >&2; fail "apt-get download of the arm64 userland failed"; }
    exec {slock}>&-
    # shellcheck disable=SC2012
    for f in busybox-static $pkgs; do
      (cd "$cache/debs" && { ls -t "${f}"_*_arm64.deb "${f}"_*_all.deb 2>/dev/null || true; } | head -n 1)
    done > "$pick.tmp"
    [ "$(wc -l < "$pick.tmp")" -gt 3 ] || fail "arm64 userland: too few packages downloaded"
    mv "$pick.tmp" "$pick"
    log "arm64 userland: $(wc -l < "$pick") packages in $(elapsed "$t0") s"
  fi
  dir=$cache/arm64-userland/$(sha256sum < "$pick" | cut -c1-16)
  if [ ! -f "$dir/.ok" ]; then
    rm -rf "$dir"
    stage=$dir/stage
    mkdir -p "$stage" "$dir/kexec"
    while read -r f; do
      dpkg-deb --fsys-tarfile "$cache/debs/$f" | tar -x -C "$stage" || fail "extracting $f failed"
    done < "$pick"
    cp "$stage/bin/busybox" "$dir/busybox"
    # /sbin/kexec and the closure of its DT_NEEDED libraries, found in the staged packages.
    local kexec_bin=sbin/kexec
    [ -f "$stage/$kexec_bin" ] || kexec_bin=usr/sbin/kexec
    [ -f "$stage/$kexec_bin" ] || fail "no kexec in kexec-tools (arm64)"
    mkdir -p "$dir/kexec/$(dirname "$kexec_bin")"
    cp "$stage/$kexec_bin" "$dir/kexec/$kexec_bin"
    local interp
    interp=$(readelf -l "$stage/$kexec_bin" | sed -n 's/.*Requesting program interpreter: \(.*\)]/\1/p')
    [ -n "$interp" ] || fail "kexec (arm64) has no program interpreter"
    local todo=("$kexec_bin" "${interp#/}") seen=" "
    while [ ${#todo[@]} -gt 0 ]; do
      f=${todo[0]}; todo=("${todo[@]:1}")
      case "$seen" in *" $f "*) continue ;; esac
      seen="$seen$f "
      mkdir -p "$dir/kexec/$(dirname "$f")"
      cp -L "$stage/$f" "$dir/kexec/$f" 2>/dev/null || fail "arm64 userland: $f not found in the packages"
      for need in $(readelf -d "$stage/$f" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p'); do
        found=
        for lib in lib/aarch64-linux-gnu usr/lib/aarch64-linux-gnu lib usr/lib; do
          if [ -e "$stage/$lib/$need" ]; then found=$lib/$need; break; fi
        done
        [ -n "$found" ] || fail "arm64 userland: library $need (of $f) is in no downloaded package"
        todo+=("$found")
      done
    done
    rm -rf "$stage"
    touch "$dir/.ok"
  fi
  exec {lock}>&-
  a64_busybox=$dir/busybox
  a64_kexec_root=$dir/kexec
}

# arm64_qemu_cmd MEM SMP WORK: sets the array qcmd (see qemu_cmd). cpu_opts: the -cpu value.
arm64_qemu_cmd() {
  # shellcheck disable=SC2054  # the commas are QEMU's
  qcmd=(qemu-system-aarch64 -M virt -cpu "$cpu_opts" -accel tcg,thread=multi -smp "$2" -m "$1"
    -nodefaults -display none -no-reboot -kernel "$kroot/boot/vmlinuz-$krel" -initrd "$3/init.cpio"
    -device vmcoreinfo -serial "file:$3/console.log"
    -drive "file=$3/disk.raw,format=raw,if=virtio"
    -qmp "unix:$3/qmp.sock,server=on,wait=off")
}

# arm64_report_extra REPORT: what the host knows of an arm64 guest, appended to its report:
# qemu_cpu (the -cpu value) and the kernel's configured memory layout (kconfig_*).
arm64_report_extra() {
  local cfg=$kroot/boot/config-$krel k v
  echo "qemu_cpu=$cpu_opts" >> "$1"
  for k in ARM64_VA_BITS ARM64_PA_BITS PGTABLE_LEVELS ARM64_4K_PAGES ARM64_16K_PAGES ARM64_64K_PAGES \
           ARM64_LPA2 RANDOMIZE_BASE KALLSYMS_ALL; do
    v=$(sed -n "s/^CONFIG_$k=//p" "$cfg")
    echo "kconfig_$k=${v:-n}" >> "$1"
  done
}
