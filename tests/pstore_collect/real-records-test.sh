#!/usr/bin/env bash
# `vmcap pstore` over the real records of scripts/make-pstore-records.sh (Debian's 6.1 and
# 6.12 under QEMU: ramoops, EFI, ERST; and each again as the kernel stored them, .enc.z,
# read by a kernel booted with pstore.compress=none): each case is copied to a folder of its
# own and collected to a file:// destination. Checked per case: exit 0, one complete capture
# with source pstore and the backend, the kernel release the guest reported, the sysrq
# panic line in dmesg.txt, every record deleted; for the .enc.z copies, that vmcap inflated
# them itself; and across the backends of one kernel, one crash signature hash (the fleet
# counts the crash once whichever backend kept it).
#
#   tests/pstore_collect/real-records-test.sh VMCAP RECORDS_DIR
set -euo pipefail
vmcap=$1 records=$2
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
bad=0
ok() { echo "ok: $*"; }
no() { echo "FAIL: $*"; bad=1; }
declare -A hash_of=()
cases=0
for case_dir in "$records"/*-*/ "$records"/*-*/nodecomp/; do
  [ -f "$case_dir/kmsg.txt" ] || [ -f "$case_dir/ls.txt" ] || continue
  ls "$case_dir" | grep -q '^dmesg-' || continue
  name=$(basename "${case_dir%/nodecomp/}")${case_dir##*/-*/}
  case "$case_dir" in */nodecomp/) name="$(basename "$(dirname "$case_dir")")-nodecomp" ;; *) name=$(basename "$case_dir") ;; esac
  meta=$case_dir/meta.txt; [ -f "$meta" ] || meta=$(dirname "$case_dir")/meta.txt
  release=$(sed -n 's/^kernel_release=//p' "$meta")
  backend=$(sed -n 's/^backend=//p' "$meta")
  d=$work/$name; mkdir -p "$d/pstore"
  cp -p "$case_dir"/dmesg-* "$d/pstore/"
  n_records=$(ls "$d/pstore" | wc -l)
  printf 'hostname = e2e\n[destination d]\nurl = file://%s\n' "$d/out" > "$d/vmcap.conf"
  rc=0; "$vmcap" pstore --config "$d/vmcap.conf" --dir "$d/pstore" > "$d/log" 2>&1 || rc=$?
  cases=$((cases + 1))
  [ "$rc" = 0 ] || { no "$name: vmcap pstore exit $rc: $(tail -n 3 "$d/log")"; continue; }
  # index/ beside the capture: its crash index entry (docs/index.md).
  caps=$(ls "$d/out" 2>/dev/null | grep -vx index | wc -l)
  [ "$caps" = 1 ] || { no "$name: $caps captures, want 1: $(cat "$d/log")"; continue; }
  cap=$d/out/$(ls "$d/out" | grep -vx index)
  ls "$d"/out/index/*/"$(basename "$cap")".json >/dev/null 2>&1 || { no "$name: no crash index entry for $(basename "$cap")"; continue; }
  msg=$(python3 - "$cap" "$release" "$backend" "$n_records" <<'PY'
import json, sys
cap, release, backend, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
m = json.load(open(cap + "/manifest.json"))
bad = []
if m["source"] != "pstore": bad.append("source %r" % m["source"])
if m["complete"] is not True: bad.append("not complete")
if m["kernel"]["release"] != release: bad.append("release %r, the guest said %r" % (m["kernel"]["release"], release))
if not m["pstore"]["backend"].startswith(backend): bad.append("backend %r" % m["pstore"]["backend"])
if m["pstore"]["reason"] != "Panic": bad.append("reason %r" % m["pstore"]["reason"])
if len(m["pstore"]["records"]) != n: bad.append("%d records in the manifest, %d read" % (len(m["pstore"]["records"]), n))
if not m["crash"]["hash"]: bad.append("no crash hash")
print("BAD: " + "; ".join(bad) if bad else "%s %s %d part(s) hash %s %s" % (
    m["pstore"]["backend"], m["pstore"]["reason"], m["pstore"]["parts"], m["crash"]["hash"],
    "inflated=%d" % sum("inflated by vmcap" in x for x in m["pstore"]["notes"])))
PY
)
  case "$msg" in BAD*) no "$name: $msg"; continue ;; esac
  grep -q 'Kernel panic - not syncing: sysrq triggered crash' "$cap/dmesg.txt" || { no "$name: no panic line in dmesg.txt"; continue; }
  [ -z "$(ls "$d/pstore")" ] || { no "$name: records left: $(ls "$d/pstore" | tr '\n' ' ')"; continue; }
  case "$name" in
    *-nodecomp)
      if ls "$case_dir" | grep -q '\.enc\.z$'; then
        grep -q 'inflated=[1-9]' <<<"$msg" || { no "$name: .enc.z records not inflated by vmcap: $msg"; continue; }
      fi ;;
  esac
  k=${name%%-*}
  h=$(sed -n 's/.* hash \([0-9a-f]*\) .*/\1/p' <<<"$msg")
  hash_of[$k]="${hash_of[$k]:-} $h"
  ok "$name: $msg; dmesg.txt has the panic line; $n_records record(s) deleted"
done
[ "$cases" -gt 0 ] || { echo "FAIL: no cases in $records (scripts/make-pstore-records.sh makes them)"; exit 1; }
for k in "${!hash_of[@]}"; do
  distinct=$(tr ' ' '\n' <<<"${hash_of[$k]}" | sed '/^$/d' | sort -u)
  if [ "$(wc -l <<<"$distinct")" = 1 ]; then ok "$k: one crash signature across its backends ($distinct)"
  else no "$k: crash signatures differ across backends: $(echo $distinct)"; fi
done
exit $bad
