#!/usr/bin/env bash
# Builds vmcap's Debian package, vmcap_VERSION_amd64.deb, and checks it with lintian.
#
#   scripts/build-deb.sh [--out DIR] [--static-build DIR] [--jobs N]
#
# How: debian/ in the tree, built with dpkg-buildpackage -b in the checkout (docs/packaging.md
# says why not CPack); its outputs land in DIR, debhelper's work files under debian/ are
# git-ignored and cleaned after. debian/rules installs the static build of
# scripts/build-static.sh (--static-build, default build/static, cached) with the tree's
# CMake install rules. lintian then runs on the .deb: any
# error (or warning) fails the build, and every tag it prints is shown.
# Cached: the .deb is made again only when the copied tree or the static binary changed.
# Standard output: the path of the .deb. Default DIR: <repo>/build/deb.
set -euo pipefail
export PATH=$PATH:/usr/sbin:/sbin
root=$(cd "$(dirname "$0")/.." && pwd)
out=$root/build/deb
static_build=$root/build/static
jobs=$(nproc)
while (($#)); do
  case $1 in
    --out) out=$2; shift 2 ;;
    --static-build) static_build=$2; shift 2 ;;
    --jobs|-j) jobs=$2; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"; exit 0 ;;
    *) echo "build-deb: unknown argument $1 (see --help)" >&2; exit 2 ;;
  esac
done
log() { echo "build-deb: $*" >&2; }
fail() { log "ERROR: $*"; exit 1; }
mkdir -p "$out" "$static_build"
out=$(cd "$out" && pwd); static_build=$(cd "$static_build" && pwd)
exec 8>"$out/.lock"; flock 8

missing=()
for p in debhelper lintian dpkg-dev; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  log "installing ${missing[*]}"
  sudo=""; [ "$(id -u)" = 0 ] || sudo=sudo
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
fi

"$root/scripts/build-static.sh" --build-dir "$static_build" --jobs "$jobs" > /dev/null
version=$(dpkg-parsechangelog -l "$root/debian/changelog" -S Version)
arch=$(dpkg --print-architecture)
deb=$out/vmcap_${version}_${arch}.deb

# The package's key: the files it is made of (the tree as git has them: tracked and new,
# not ignored) and the static binary.
key=$( { cd "$root" && git ls-files -z --cached --others --exclude-standard 2>/dev/null |
           xargs -0 -r sha256sum 2>/dev/null | LC_ALL=C sort -k2; sha256sum < "$static_build/capture/cli/vmcap"; } |
       sha256sum | cut -d' ' -f1)
if [ -f "$deb" ] && [ "$(cat "$out/deb.key" 2>/dev/null)" = "$key" ]; then
  log "$deb up to date (key ${key:0:16}; lintian passed when it was built)"
  echo "$deb"; exit 0
fi

log "dpkg-buildpackage -b in $root (log: $out/build.log)"
rm -f "$deb" "$out/deb.key"
start=$SECONDS
# Outputs in OUT, not in the checkout's parent: the .deb (dh_builddeb --destdir), the
# .buildinfo and .changes (-O). debhelper's work files under debian/ are git-ignored.
changes=$out/vmcap_${version}_${arch}.changes
(cd "$root" && VMCAP_STATIC_BUILD="$static_build" VMCAP_DEB_OUT="$out" DEB_BUILD_OPTIONS="parallel=$jobs" \
   dpkg-buildpackage -b -us -uc --buildinfo-option=-u"$out" --buildinfo-option=-O"$out/vmcap_${version}_${arch}.buildinfo" \
     --changes-option=-u"$out" --changes-option=-O"$changes") > "$out/build.log" 2>&1 ||
  { tail -n 40 "$out/build.log" >&2; fail "dpkg-buildpackage failed (log: $out/build.log)"; }
(cd "$root" && debian/rules clean) >> "$out/build.log" 2>&1 || true
[ -f "$deb" ] || fail "dpkg-buildpackage made no $deb (log: $out/build.log)"
log "built $deb ($(stat -c %s "$deb") bytes) in $((SECONDS - start)) s"

# lintian on the package: errors and warnings fail; what it says is shown either way.
lintian --fail-on error,warning --display-info "$deb" > "$out/lintian.log" 2>&1 && lint=0 || lint=$?
if [ -s "$out/lintian.log" ]; then sed 's/^/build-deb: lintian: /' "$out/lintian.log" >&2; fi
if [ "$lint" != 0 ]; then
  mv "$deb" "$deb.rejected"
  fail "lintian found errors or warnings in the package (above; $out/lintian.log; the package kept as $deb.rejected)"
fi
log "lintian: no errors or warnings ($(grep -c '^[IP]:' "$out/lintian.log" || true) informational tags)"
echo "$key" > "$out/deb.key"
echo "$deb"
