#!/usr/bin/env bash
# Benchmark of issue 19's `vmcap report` (not a test; label bench): a crash index of many
# entries in the S3 test server (tests/upload/s3server, SigV4 checked on every request),
# read back with `vmcap report --format json` (every page listed, every entry fetched and
# grouped). Prints, per run, the report's wall time and peak RSS (GNU time) and the groups
# found. Memory is bounded by the number of groups, not entries: the default runs compare
# 10,000 and 100,000 entries over 100 signatures (peak RSS alike), and 100,000 over 1,000.
#
#   scripts/bench-report.sh [--vmcap BIN] [--runs "ENTRIES:SIGNATURES ..."]
#
# BIN defaults to the shipped binary, build/static/capture/cli/vmcap (built here when
# missing or older than report/; build/ itself is the ASan+UBSan test build). The entries
# (scripts/bench-report-entries.py: 2-3 KiB each, thousands of hosts, a long tail of
# signatures) are written into the server's store directly: 100,000 signed PUTs would cost
# minutes and measure the server. Needs node (the S3 test server, installed by
# tests/upload/s3server/install.sh into build/s3server) and GNU time (package time).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
vmcap=""
runs="10000:100 100000:100 100000:1000"
while (($#)); do
  case $1 in
    --vmcap) vmcap=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    *) echo "bench-report: unknown argument $1" >&2; exit 64 ;;
  esac
done
if [[ -z $vmcap ]]; then
  vmcap=build/static/capture/cli/vmcap
  if [[ ! -x $vmcap || -n $(find report index capture/upload -newer "$vmcap" -name '*.cpp' | head -1) ]]; then
    if [[ -f build/static/build.ninja ]]; then
      flock /tmp/vmcap-build.lock cmake --build build/static --target vmcap >&2
    else
      scripts/build-static.sh --build-dir build/static >&2
    fi
  fi
fi
s3server=${VMCAP_TEST_S3SERVER:-$root/build/s3server}
[[ -f $s3server/serve.js ]] || tests/upload/s3server/install.sh "$s3server" >&2
[[ -x /usr/bin/time ]] || { echo "bench-report: needs GNU time (apt-get install time)" >&2; exit 1; }

work=$(mktemp -d /tmp/vmcap-bench-report.XXXXXX)
server_pid=""
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
access=VMCAPBENCHKEY
secret=bench-secret-$RANDOM$RANDOM
printf '%s\n' "$access" > "$work/access"
printf '%s\n' "$secret" > "$work/secret"
chmod 600 "$work/access" "$work/secret"

printf '%-9s %-10s %-8s %-9s %-12s %s\n' entries signatures groups "time s" "peak RSS MB" "summary"
for run in $runs; do
  entries=${run%%:*}
  signatures=${run##*:}
  store=$work/s3data-$entries-$signatures
  python3 scripts/bench-report-entries.py "$store" crashes dumps "$entries" "$signatures" > /dev/null
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  node --openssl-legacy-provider "$s3server/serve.js" "$store" "$port" "$access" "$secret" crashes > "$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 100); do grep -q '^listening' "$work/server.log" && break; sleep 0.1; done
  grep -q '^listening' "$work/server.log" || { cat "$work/server.log" >&2; exit 1; }
  cat > "$work/vmcap.conf" <<CONF
[destination s3]
url = s3://crashes/dumps
region = us-east-1
endpoint = http://127.0.0.1:$port
path_style = yes
access_key_file = $work/access
secret_key_file = $work/secret
CONF
  /usr/bin/time -v -o "$work/time" "$vmcap" report --config "$work/vmcap.conf" --format json -o "$work/report.json" \
    2> "$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$work/time")
  rss=$(awk -F': ' '/Maximum resident set size/ {printf "%.1f", $2/1024}' "$work/time")
  groups=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["summary"]["groups"])' "$work/report.json")
  printf '%-9s %-10s %-8s %-9s %-12s %s\n' "$entries" "$signatures" "$groups" "$wall" "$rss" "$(tail -1 "$work/stderr")"
  kill "$server_pid"; wait "$server_pid" 2>/dev/null || true; server_pid=""
  rm -rf "$store"
done
