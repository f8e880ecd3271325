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
#   check.sh same    BINARY NATIVE DUMP...
#                                     BINARY prints what NATIVE (a vmcap built for this host
#                                     from the same tree) prints for `info`, `dmesg --format
#                                     kmsg` and `dmesg --format json` of each DUMP, and
#                                     `filter` writes the same bytes but the header's time
#                                     (zstd, and zlib for the first DUMP); missing DUMPs are
#                                     skipped, none at all skips
#
# VMCAP_STATIC_EMULATOR (e.g. qemu-aarch64-static): runs BINARY and the probe through it, for
# a binary of another architecture (the cross-built aarch64 vmcap). In the empty root the
# emulator is copied in beside the binary, so it must be static too (qemu-user-static's is).
# Exit 0 passes, 77 skips (no way to chroot, no python3 for the server, no emulator), else fails.
set -euo pipefail
mode=${1:?mode}
bin=${2:?binary}
version=${3:-}
fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }
[ -x "$bin" ] || fail "$bin is not an executable file"
probe=$(dirname "$bin")/vmcap-curl-probe
emulator=()
if [ -n "${VMCAP_STATIC_EMULATOR:-}" ]; then
  e=$(command -v "$VMCAP_STATIC_EMULATOR" || true)
  [ -n "$e" ] || skip "no $VMCAP_STATIC_EMULATOR to run the binary with (qemu-user-static)"
  emulator=("$e")
fi
# run FILE ARGS...: FILE, through the emulator when there is one.
run() { "${emulator[@]}" "$@"; }

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
  if ((${#emulator[@]})); then
    cp "${emulator[0]}" "$root/emulator"
    env -i "${chroot_cmd[@]}" "$root" /emulator "/$(basename "$file")" "$@"
  else
    env -i "${chroot_cmd[@]}" "$root" "/$(basename "$file")" "$@"
  fi
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
    set +e; out=$(run "$bin" --version 2>&1); st=$?; set -e
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
    check_curl_info "$(run "$probe")"
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
  same)
    native=${3:?native vmcap}
    shift 3
    [ -x "$native" ] || fail "$native is not an executable file"
    n=0
    for dump in "$@"; do
      [ -f "$dump" ] || { echo "skipped: no $dump"; continue; }
      for cmd in "info" "dmesg --format kmsg" "dmesg --format json"; do
        # shellcheck disable=SC2086  # cmd is words
        "$native" $cmd "$dump" >"$tmp/native" 2>"$tmp/native.err" || fail "native vmcap $cmd $dump: $(cat "$tmp/native.err")"
        # shellcheck disable=SC2086
        run "$bin" $cmd "$dump" >"$tmp/bin" 2>"$tmp/bin.err" || fail "vmcap $cmd $dump: $(cat "$tmp/bin.err")"
        diff -u "$tmp/native" "$tmp/bin" >"$tmp/diff" ||
          { head -40 "$tmp/diff"; fail "vmcap $cmd $dump differs from the native vmcap's"; }
        echo "same: $cmd $dump ($(wc -l <"$tmp/bin") lines)"
      done
      compressions=(zstd); ((n > 0)) || compressions+=(zlib)
      for c in "${compressions[@]}"; do
        "$native" filter -q --compress "$c" "$dump" "$tmp/native.core" || fail "native vmcap filter $dump failed"
        run "$bin" filter -q --compress "$c" "$dump" "$tmp/bin.core" || fail "vmcap filter --compress $c $dump failed"
        # All but disk_dump_header's timestamp (bytes 408-423): the time of writing when the
        # dump has no crash time (QEMU's dumps: no VMCOREINFO CRASHTIME).
        { cmp -n 408 "$tmp/native.core" "$tmp/bin.core" && cmp -i 424 "$tmp/native.core" "$tmp/bin.core"; } ||
          fail "vmcap filter --compress $c $dump: other bytes than the native vmcap's"
        echo "same: filter --compress $c $dump ($(stat -c %s "$tmp/bin.core") bytes)"
        rm -f "$tmp/native.core" "$tmp/bin.core"
      done
      n=$((n + 1))
    done
    ((n > 0)) || skip "none of the dumps exists (the qemu fixtures make them)"
    echo "ok: the same output as the native vmcap for $n dumps"
    ;;
  *) fail "unknown mode $mode" ;;
esac
