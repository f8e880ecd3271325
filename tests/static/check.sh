#!/usr/bin/env bash
# Run-time checks of the static vmcap, registered by tests/static/CMakeLists.txt:
#
#   check.sh version BINARY VERSION   `vmcap --version` exits 0 and prints VERSION (as a word)
#   check.sh chroot  BINARY VERSION   the same inside an empty root holding only the binary,
#                                     with an empty environment (no libraries, no /etc, no
#                                     /proc); a dynamic binary must fail there (control)
#   check.sh curl    BINARY           the vmcap-curl-probe beside BINARY (same libcurl as
#                                     vmcap) supports http https sftp, AsynchDNS (c-ares),
#                                     SSL, zlib, zstd, in the empty root as well
#   check.sh fetch   BINARY           the probe, in the empty root, fetches a file from an
#                                     HTTP server on 127.0.0.1 and reports a 404 as failure
# Exit 0 passes, 77 skips (no way to chroot, or no python3 for the server), else fails.
set -euo pipefail
mode=${1:?mode}
bin=${2:?binary}
version=${3:-}
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }
[ -x "$bin" ] || fail "$bin is not an executable file"
probe=$(dirname "$bin")/vmcap-curl-probe

tmp=$(mktemp -d)
server_pid=""
cleanup() {
  [ -z "$server_pid" ] || kill "$server_pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

# in_empty_root FILE ARGS...: runs FILE (copied alone into an empty directory) as / with an
# empty environment. Prints its output; returns its exit status.
chroot_cmd=()
setup_chroot() {
  local c
  c=$(command -v chroot || true)
  [ -n "$c" ] || skip "no chroot command"
  if [ "$(id -u)" = 0 ]; then
    chroot_cmd=("$c")
  elif unshare -r true 2>/dev/null; then
    chroot_cmd=(unshare -r "$c")
  else
    skip "not root and no user namespaces: cannot chroot"
  fi
}
in_empty_root() {
  local file=$1; shift
  local root=$tmp/root-$RANDOM
  mkdir "$root"
  cp "$file" "$root/$(basename "$file")"
  env -i "${chroot_cmd[@]}" "$root" "/$(basename "$file")" "$@"
}

expect_version() {  # expect_version OUTPUT STATUS
  [ "$2" = 0 ] || fail "--version exited $2 (output: $1)"
  # The version as a word of its own ("0.1.0" or "vmcap 0.1.0", not "0.1.01").
  grep -Eq "(^|[^0-9.])${version//./\\.}(\$|[^0-9.])" <<<"$1" ||
    fail "--version printed '$1', expected version $version"
}

check_curl_info() {  # check_curl_info OUTPUT
  echo "$1"
  local protocols features
  protocols=" $(sed -n 's/^protocols //p' <<<"$1") "
  features=" $(sed -n 's/^features //p' <<<"$1") "
  for p in http https sftp; do
    [[ $protocols == *" $p "* ]] || fail "libcurl lacks protocol $p (has:$protocols)"
  done
  for f in asynchdns ssl libz zstd; do
    [[ $features == *" $f "* ]] || fail "libcurl lacks feature $f (has:$features)"
  done
  grep -q '^resolver [0-9]' <<<"$1" || fail "libcurl does not resolve names with c-ares"
}

case $mode in
  version)
    [ -n "$version" ] || fail "no expected version given"
    set +e; out=$("$bin" --version 2>&1); st=$?; set -e
    expect_version "$out" "$st"
    echo "ok: $out"
    ;;
  chroot)
    [ -n "$version" ] || fail "no expected version given"
    setup_chroot
    # Control: a dynamically linked program cannot start in such a root.
    dyn=$(command -v true)
    set +e; in_empty_root "$(readlink -f "$dyn")" >/dev/null 2>&1; control=$?; set -e
    [ "$control" != 0 ] || fail "control: dynamic $dyn ran in the empty root, which is not empty"
    set +e; out=$(in_empty_root "$bin" --version 2>&1); st=$?; set -e
    expect_version "$out" "$st"
    set +e; out=$(in_empty_root "$bin" --help 2>&1); st=$?; set -e
    [ "$st" = 0 ] || fail "--help exited $st in the empty root: $out"
    echo "ok: runs alone in an empty root (a dynamic binary exits $control there)"
    ;;
  curl)
    [ -x "$probe" ] || fail "no $probe (scripts/build-static.sh builds it)"
    check_curl_info "$("$probe")"
    setup_chroot
    check_curl_info "$(in_empty_root "$probe")"
    ;;
  fetch)
    [ -x "$probe" ] || fail "no $probe (scripts/build-static.sh builds it)"
    command -v python3 >/dev/null || skip "no python3 for the HTTP server"
    setup_chroot
    mkdir "$tmp/www"
    head -c 100000 /dev/urandom >"$tmp/www/blob"
    # A server on a free loopback port, for at most 60 s.
    timeout 60 python3 -c '
import functools, http.server, sys
class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args): pass
s = http.server.HTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=sys.argv[1]))
print(s.server_address[1], flush=True)
s.serve_forever()' "$tmp/www" >"$tmp/port" &
    server_pid=$!
    for _ in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.1; done
    port=$(cat "$tmp/port")
    [ -n "$port" ] || fail "HTTP server did not start"
    in_empty_root "$probe" "http://127.0.0.1:$port/blob" >"$tmp/got" || fail "fetch failed"
    cmp "$tmp/www/blob" "$tmp/got" || fail "fetched bytes differ"
    if in_empty_root "$probe" "http://127.0.0.1:$port/missing" >/dev/null 2>&1; then
      fail "a 404 was reported as success"
    fi
    echo "ok: fetched 100000 bytes over HTTP inside the empty root"
    ;;
  *) fail "unknown mode $mode" ;;
esac
