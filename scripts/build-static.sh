#!/usr/bin/env bash
# Builds the fully static vmcap (the one that runs as /init in the capture initramfs).
#
#   scripts/build-static.sh [--arch ARCH] [--build-dir DIR] [--jobs N] [--refresh]
#
# ARCH: the host's (default: amd64 on an amd64 host) or arm64, which cross-builds an aarch64
# vmcap on an amd64 host (see "Cross build" below).
#
# 1. installs the Debian packages it needs (static archives come with the -dev packages);
# 2. fetches Debian's sources of curl and fmtlib with `apt-get source`, through a private
#    apt configuration under DIR/deps/apt that lists deb-src for the host's own Debian
#    archive (the host's sources, lists and caches are left alone);
# 3. builds a minimal static libcurl (OpenSSL, libssh2, c-ares, zlib, zstd; nothing else)
#    and a static libfmt (Debian's libfmt-dev has only the .so) into DIR/deps/prefix;
# 4. configures vmcap in DIR with -DVMCAP_STATIC=ON (cmake/Static.cmake) and builds vmcap,
#    vmcap.stripped and vmcap-curl-probe. Its install layout is the Debian package's
#    (scripts/build-deb.sh installs it): prefix /usr, units in /lib/systemd/system.
#
# Idempotent: a dependency is rebuilt only when its Debian source version or its build
# options change. Without --refresh, once built, it is not checked against the archive again
# (no network needed). Progress goes to standard error; standard output gets one line, the
# path of the static vmcap binary (vmcap.stripped and vmcap-curl-probe sit beside it).
# The six link warnings glibc gives every static binary linking curl and OpenSSL are known and
# harmless (tests/static/README.md): one line counts them; any other warning is shown.
# Default DIR: <repo>/build/static, and <repo>/build/static-arm64 for a cross build.
#
# Cross build (--arch arm64 on an amd64 host): Debian's cross toolchain (g++-aarch64-linux-gnu,
# installed in step 1) with cmake/aarch64-linux-gnu.cmake. The static archives and headers are
# Debian's arm64 -dev packages, downloaded through a second private apt configuration
# (DIR/deps/apt-arm64: binary lists of the host's Debian archives for arm64 only, its own empty
# dpkg status) and unpacked with dpkg-deb into DIR/deps/sysroot; the host's dpkg is not made
# multiarch. Header-only CLI11 and nlohmann-json are the host's, copied in. curl and fmt are
# cross-built from the same Debian sources as the native build. The binary runs on the host
# under qemu-user (qemu-aarch64-static; tests/static).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=""
jobs=$(nproc)
refresh=0
arch=""
while (($#)); do
  case $1 in
    --arch) arch=$2; shift 2 ;;
    --arch=*) arch=${1#*=}; shift ;;
    --build-dir) build=$2; shift 2 ;;
    --build-dir=*) build=${1#*=}; shift ;;
    --jobs|-j) jobs=$2; shift 2 ;;
    --refresh) refresh=1; shift ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "build-static: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
host_arch=$(dpkg --print-architecture)
case ${arch:-$host_arch} in
  amd64|x86_64) arch=amd64 ;;
  arm64|aarch64) arch=arm64 ;;
  *) echo "build-static: unknown --arch ${arch} (amd64 or arm64)" >&2; exit 2 ;;
esac
cross=0; triplet=""
if [ "$arch" != "$host_arch" ]; then
  if [ "$arch" != arm64 ] || [ "$host_arch" != amd64 ]; then
    echo "build-static: cross-building for $arch on $host_arch is not supported (arm64 on amd64 is)" >&2; exit 2
  fi
  cross=1; triplet=aarch64-linux-gnu
fi
if [ -z "$build" ]; then
  build=$root/build/static
  ((cross == 0)) || build=$root/build/static-$arch
fi
mkdir -p "$build"
build=$(cd "$build" && pwd)
deps=$build/deps
prefix=$deps/prefix
log() { echo "build-static: $*" >&2; }

# One run at a time per build directory.
exec 9>"$build/.build-static.lock"
flock 9

sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo

# --- 1. packages --------------------------------------------------------------------------
static_pkgs=(build-essential binutils cmake ninja-build pkg-config dpkg-dev
  libssl-dev libssh2-1-dev libc-ares-dev zlib1g-dev libzstd-dev libelf-dev
  libcli11-dev libfmt-dev nlohmann-json3-dev)
# The cross toolchain (glibc and libstdc++ for aarch64 come with it).
((cross == 0)) || static_pkgs+=("g++-$triplet")
# The project's own build dependencies too (their -dev packages ship the .a files).
mapfile -t listed < <(cat "$root"/scripts/packages/build.txt 2>/dev/null |
  sed 's/#.*//' | awk 'NF {print $1}' | grep -v -e '^libgtest' -e '^libgmock' -e '^libbenchmark' || true)
missing=()
for p in $(printf '%s\n' "${static_pkgs[@]}" "${listed[@]}" | sort -u); do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  $sudo apt-get update -qq || log "apt-get update had errors; trying the install anyway"
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
    "${missing[@]}" >&2
fi

# --- 2. Debian sources, through a private apt configuration ----------------------------------
aptdir=$deps/apt
apt_opts=(-o "Dir::Etc::SourceList=$aptdir/sources.list" -o "Dir::Etc::SourceParts=$aptdir/sources.list.d"
  -o "Dir::State::Lists=$aptdir/lists" -o "Dir::Cache=$aptdir/cache"
  -o "APT::Sandbox::User=root" -o "Acquire::Retries=3")
private_apt_update() {
  mkdir -p "$aptdir/sources.list.d" "$aptdir/lists/partial" "$aptdir/cache/archives/partial"
  # deb-src for each Debian archive the host takes binary packages from.
  apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' \
      'Created-By: Packages' 'Origin: Debian' 2>/dev/null | sort -u |
    awk '{print "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] " $1 " " $2 " " $3}' \
      >"$aptdir/sources.list.new"
  if [ ! -s "$aptdir/sources.list.new" ]; then
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
    echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $codename main" \
      >"$aptdir/sources.list.new"
  fi
  mv "$aptdir/sources.list.new" "$aptdir/sources.list"
  log "updating the private deb-src lists ($(wc -l <"$aptdir/sources.list") entries)"
  apt-get "${apt_opts[@]}" update -qq >&2
}

# fetch_source SOURCE-PACKAGE (after private_apt_update): the version apt would take now
# (prints "version dir"), downloaded and unpacked (Debian's patches applied) under $deps/src/<package>-<version>.
fetch_source() {
  local pkg=$1 dsc ver dir
  dsc=$(apt-get "${apt_opts[@]}" source --print-uris "$pkg" 2>/dev/null | awk '$2 ~ /\.dsc$/ {print $2; exit}')
  [ -n "$dsc" ] || { log "no Debian source for $pkg"; return 1; }
  ver=${dsc#"${pkg}_"}; ver=${ver%.dsc}
  dir=$deps/src/$pkg-$ver
  if [ ! -f "$dir/.unpacked" ]; then
    mkdir -p "$deps/src/download"
    log "downloading the source of $pkg $ver"
    (cd "$deps/src/download" && apt-get "${apt_opts[@]}" source --download-only -qq "$pkg=$ver" >&2)
    rm -rf "$dir"
    dpkg-source --no-check -x "$deps/src/download/$dsc" "$dir" >/dev/null
    touch "$dir/.unpacked"
  fi
  echo "$ver $dir"
}

# stamp_ok NAME KEY: whether NAME was built with KEY (source version + options).
stamp_ok() { [ -f "$prefix/.stamp-$1" ] && [ "$(cat "$prefix/.stamp-$1")" = "$2" ]; }

if ((refresh)) || [ ! -f "$prefix/.stamp-curl" ] || [ ! -f "$prefix/.stamp-fmtlib" ]; then
  private_apt_update
fi

# --- 2b. cross build: Debian's arm64 -dev packages, unpacked into DIR/deps/sysroot -----------
# What the static link takes (cmake/Static.cmake, elf/kdump), from the host's Debian archives
# (same suites, so the same versions as the native build), and the host's header-only packages.
cross_dev_pkgs=(libelf-dev libzstd-dev zlib1g-dev liblzo2-dev libsnappy-dev libssl-dev
  libssh2-1-dev libc-ares-dev)
header_only_pkgs=(libcli11-dev nlohmann-json3-dev)
sysroot=$deps/sysroot
if ((cross)); then
  xaptdir=$deps/apt-$arch
  xapt_opts=(-o "APT::Architecture=$arch" -o "APT::Architectures=$arch"
    -o "Dir::Etc::SourceList=$xaptdir/sources.list" -o "Dir::Etc::SourceParts=$xaptdir/sources.list.d"
    -o "Dir::State::Lists=$xaptdir/lists" -o "Dir::State::status=$xaptdir/status"
    -o "Dir::Cache=$xaptdir/cache" -o "Dir::Cache::pkgcache=" -o "Dir::Cache::srcpkgcache="
    -o "APT::Sandbox::User=root" -o "Acquire::Retries=3")
  host_headers=$(dpkg-query -W -f='${Package}=${Version} ' "${header_only_pkgs[@]}")
  if ((refresh)) || [ ! -f "$sysroot/.stamp" ]; then
    mkdir -p "$xaptdir/sources.list.d" "$xaptdir/lists/partial" "$xaptdir/cache/archives/partial" "$deps/debs"
    : >"$xaptdir/status"
    apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' \
        'Created-By: Packages' 'Origin: Debian' 2>/dev/null | sort -u |
      awk -v a="$arch" '{print "deb [arch=" a " signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] " $1 " " $2 " " $3}' \
        >"$xaptdir/sources.list"
    if [ ! -s "$xaptdir/sources.list" ]; then
      codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
      echo "deb [arch=$arch signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian $codename main" \
        >"$xaptdir/sources.list"
    fi
    log "updating the private $arch package lists ($(wc -l <"$xaptdir/sources.list") entries)"
    apt-get "${xapt_opts[@]}" update -qq >&2
    # "'URI' FILE SIZE HASH" for the version apt would take now.
    mapfile -t uris < <(apt-get "${xapt_opts[@]}" download --print-uris "${cross_dev_pkgs[@]}" 2>/dev/null |
      awk '{gsub(/\047/, "", $1); print $1 " " $2}')
    ((${#uris[@]} == ${#cross_dev_pkgs[@]})) ||
      { log "could not resolve all of ${cross_dev_pkgs[*]} for $arch (got ${#uris[@]})"; exit 1; }
    debs=()
    for u in "${uris[@]}"; do
      read -r url file <<<"$u"
      debs+=("$file")
      [ -f "$deps/debs/$file" ] && continue
      log "downloading $file"
      (cd "$deps/debs" && apt-get "${xapt_opts[@]}" download -qq "$(cut -d_ -f1 <<<"$file")=$(cut -d_ -f2 <<<"$file" | sed 's/%3a/:/')" >&2)
      [ -f "$deps/debs/$file" ] || { log "download of $url failed"; exit 1; }
    done
    key="${debs[*]} $host_headers"
    if [ -f "$sysroot/.stamp" ] && [ "$(cat "$sysroot/.stamp")" = "$key" ]; then
      log "$arch -dev packages up to date in $sysroot"
    else
      log "unpacking ${#debs[@]} $arch -dev packages into $sysroot"
      rm -rf "$sysroot" && mkdir -p "$sysroot"
      for f in "${debs[@]}"; do dpkg-deb -x "$deps/debs/$f" "$sysroot"; done
      # Only the static archives: no shared-library links (their targets are not here).
      find "$sysroot/usr/lib" -name '*.so' -delete
      # The header-only packages, as the host has them (architecture-independent).
      dpkg-query -L "${header_only_pkgs[@]}" | grep -E '^/usr/(include|share/cmake|share/pkgconfig)/' |
        while read -r f; do [ -f "$f" ] && [ ! -L "$f" ] && cp --parents "$f" "$sysroot"; done
      echo "$key" >"$sysroot/.stamp"
    fi
  else
    log "$arch -dev packages up to date in $sysroot (unpacked by an earlier run; --refresh checks for newer ones)"
  fi
  [ "$(cut -d' ' -f$((${#cross_dev_pkgs[@]} + 1))- "$sysroot/.stamp")" = "$host_headers" ] ||
    log "note: the host's ${header_only_pkgs[*]} changed since $sysroot was made (--refresh copies them again)"
  # For configure scripts (curl): the target's compiler, headers, archives and .pc files.
  cross_env=(CC="$triplet-gcc" CXX="$triplet-g++" AR="$triplet-ar" RANLIB="$triplet-ranlib"
    STRIP="$triplet-strip"
    CPPFLAGS="-I$sysroot/usr/include/$triplet -I$sysroot/usr/include"
    LDFLAGS="-L$sysroot/usr/lib/$triplet"
    PKGCONFIG=pkg-config PKG_CONFIG=pkg-config PKG_CONFIG_PATH=
    PKG_CONFIG_LIBDIR="$sysroot/usr/lib/$triplet/pkgconfig:$sysroot/usr/share/pkgconfig"
    PKG_CONFIG_SYSROOT_DIR="$sysroot")
  cmake_cross=(-DCMAKE_TOOLCHAIN_FILE="$root/cmake/$triplet.cmake"
    -DVMCAP_CROSS_SYSROOT="$sysroot" -DVMCAP_CROSS_PREFIX="$prefix")
else
  cross_env=()
  cmake_cross=()
fi

# --- 3a. libcurl -------------------------------------------------------------------------
# Only what an upload needs: HTTP(S), FTP(S), SFTP/SCP, FILE. c-ares for name resolution,
# because getaddrinfo in a static glibc binary needs NSS modules that the initramfs lacks.
# The configure script shipped in the upstream tarball is used as is (Debian's patches that
# touch configure.ac concern GSS-API/LDAP/GnuTLS/NSS flavours, all disabled here, and
# AM_MAINTAINER_MODE keeps make from re-running autotools).
curl_opts=(--disable-shared --enable-static --with-openssl --with-libssh2 --enable-ares
  --with-zlib --with-zstd
  --disable-ldap --disable-ldaps --disable-dict --disable-gopher --disable-imap --disable-pop3
  --disable-smtp --disable-rtsp --disable-telnet --disable-tftp --disable-mqtt --disable-smb
  --disable-manual --disable-ntlm-wb
  --without-gssapi --without-librtmp --without-libidn2 --without-nghttp2 --without-nghttp3
  --without-ngtcp2 --without-quiche --without-msh3 --without-hyper --without-brotli
  --without-libpsl --without-libgsasl --without-gnutls --without-nss --without-wolfssl
  --without-mbedtls --without-rustls --without-bearssl
  --with-ca-bundle=/etc/ssl/certs/ca-certificates.crt --with-ca-path=/etc/ssl/certs)
# A cross build configures for the target (the key of a native build is unchanged).
((cross == 0)) || curl_opts+=(--host="$triplet")
opts_key=$(printf '%s\n' "${curl_opts[@]}" | md5sum | cut -c1-12)
if ((refresh)) || [ ! -f "$prefix/.stamp-curl" ]; then
  src_line=$(fetch_source curl); read -r curl_ver curl_src <<<"$src_line"
  if stamp_ok curl "$curl_ver $opts_key" && [ -f "$prefix/lib/libcurl.a" ]; then
    log "libcurl $curl_ver up to date (no newer Debian source)"
  else
    log "building static libcurl $curl_ver"
    start=$SECONDS
    rm -rf "$deps/curl-build" && mkdir -p "$deps/curl-build"
    (
      cd "$deps/curl-build"
      env "${cross_env[@]}" "$curl_src/configure" --prefix="$prefix" "${curl_opts[@]}" >configure.log 2>&1 ||
        { tail -30 configure.log >&2; exit 1; }
      { make -C lib -j "$jobs" && make -C lib install && make -C include install &&
        make install-binSCRIPTS install-pkgconfigDATA; } >make.log 2>&1 ||
        { tail -30 make.log >&2; exit 1; }
    )
    echo "$curl_ver $opts_key" >"$prefix/.stamp-curl"
    log "libcurl $curl_ver built in $((SECONDS - start)) s: $("$prefix/bin/curl-config" --protocols | tr '\n' ' ')"
  fi
else
  log "libcurl $(cut -d' ' -f1 "$prefix/.stamp-curl") up to date (built by an earlier run; --refresh checks for a newer Debian source)"
fi

# --- 3b. libfmt ----------------------------------------------------------------------------
fmt_key=static-1
((cross == 0)) || fmt_key="static-1 $triplet"
if ((refresh)) || [ ! -f "$prefix/.stamp-fmtlib" ]; then
  src_line=$(fetch_source fmtlib); read -r fmt_ver fmt_src <<<"$src_line"
  if stamp_ok fmtlib "$fmt_ver $fmt_key" && [ -f "$prefix/lib/libfmt.a" ]; then
    log "libfmt $fmt_ver up to date (no newer Debian source)"
  else
    log "building static libfmt $fmt_ver"
    start=$SECONDS
    rm -rf "$deps/fmt-build"
    cmake -S "$fmt_src" -B "$deps/fmt-build" -G Ninja -DCMAKE_BUILD_TYPE=Release "${cmake_cross[@]}" \
      -DFMT_TEST=OFF -DFMT_DOC=OFF -DFMT_INSTALL=ON -DBUILD_SHARED_LIBS=OFF \
      -DCMAKE_INSTALL_PREFIX="$prefix" -DCMAKE_INSTALL_LIBDIR=lib >"$deps/fmt-build.log" 2>&1 &&
    cmake --build "$deps/fmt-build" -j "$jobs" >>"$deps/fmt-build.log" 2>&1 &&
    cmake --install "$deps/fmt-build" >>"$deps/fmt-build.log" 2>&1 ||
      { tail -30 "$deps/fmt-build.log" >&2; exit 1; }
    echo "$fmt_ver $fmt_key" >"$prefix/.stamp-fmtlib"
    log "libfmt $fmt_ver built in $((SECONDS - start)) s"
  fi
else
  log "libfmt $(cut -d' ' -f1 "$prefix/.stamp-fmtlib") up to date (built by an earlier run)"
fi

# --- 4. vmcap ----------------------------------------------------------------------------
log "configuring vmcap (static) in $build"
cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE="${VMCAP_STATIC_BUILD_TYPE:-RelWithDebInfo}" \
  "${cmake_cross[@]}" -DVMCAP_STATIC=ON -DVMCAP_TESTS=OFF -DVMCAP_BENCHMARKS=OFF -DVMCAP_SANITIZE=OFF \
  -DVMCAP_CURL_PREFIX="$prefix" -Dfmt_DIR="$prefix/lib/cmake/fmt" \
  -DCMAKE_INSTALL_PREFIX=/usr -DVMCAP_SYSTEMD_UNIT_DIR=/lib/systemd/system >"$build/configure.log" 2>&1 ||
  { tail -40 "$build/configure.log" >&2; exit 1; }
start=$SECONDS
if ! cmake --build "$build" -j "$jobs" --target vmcap vmcap_stripped vmcap-curl-probe \
    >"$build/build.log" 2>&1; then
  grep -E 'error|FAILED' "$build/build.log" | head -40 >&2
  log "build failed; full log: $build/build.log"
  exit 1
fi
# glibc's linker warnings: a static binary that calls the NSS functions or dlopen needs
# glibc's shared libraries at run time. These are known, and vmcap never reaches them (checked
# against the libraries' symbols and the sources of curl and c-ares; tests/static/README.md):
# OpenSSL's own socket helpers (curl makes its sockets and resolves names with c-ares, whose
# service lookups curl skips with numeric ports), curl's .netrc (never enabled), OpenSSL's
# module loader (only for an openssl.cnf asking for engines or providers). Hidden and
# counted; any other warning is shown.
known_link_warnings='dlopen in dlfcn_globallookup
getaddrinfo in BIO_lookup_ex
gethostbyname in BIO_gethostbyname
getpwuid_r in Curl_parsenetrc
getservbyname in ares_getaddrinfo
getservbyport_r in lookup_service'
link_warnings=$(awk '/Linking .* executable/ {exe = $NF}
     /: in function `/ { fn = $0; sub(/.*in function `/, "", fn); sub(/[^A-Za-z0-9_].*/, "", fn) }
     /in statically linked applications requires/ {
       f = $0; sub(/.*Using ./, "", f); sub(/. in statically.*/, "", f); print f " in " fn "\t" exe; fn = "?" }' \
  "$build/build.log" | sort -u)  # "SYMBOL in FUNCTION<tab>EXECUTABLE"
hidden=0
if [ -n "$link_warnings" ]; then
  hidden=$(cut -f1 <<<"$link_warnings" | sort -u | grep -cxF "$known_link_warnings" || true)
  while IFS=$'\t' read -r warning exe; do
    grep -qxF "$warning" <<<"$known_link_warnings" ||
      log "link warning: $exe: $warning (not one of the known static-glibc warnings: check it)"
  done <<<"$link_warnings"
fi
bin=$(sed -n 's/^VMCAP_STATIC_BINARY_PATH=//p' "$build/vmcap-static.txt" 2>/dev/null || true)
[ -n "$bin" ] || bin=$build/capture/cli/vmcap
[ -x "$bin" ] || { log "no binary at $bin"; exit 1; }
if ((hidden)); then
  log "$hidden known link warnings hidden: glibc's notice that getaddrinfo, gethostbyname, getservbyname, getservbyport_r, getpwuid_r and dlopen need its shared libraries in a static binary; vmcap never calls them (c-ares resolves names; tests/static/README.md)"
fi
sizes="$(stat -c %s "$bin") bytes; stripped $(stat -c %s "$bin.stripped") bytes"
if grep -q '^ninja: no work to do' "$build/build.log"; then
  log "vmcap up to date: $bin ($sizes)"
else
  log "vmcap built in $((SECONDS - start)) s: $bin ($sizes)"
fi
echo "$bin"
