#!/usr/bin/env bash
# crash-oracle-test.sh VMCAP VMCORES_DIR CACHE_DIR [TAG]: `crash` (with the kernel's real
# debug vmlinux) opens the core `vmcap filter` wrote from a real kdump vmcore, and its
# `log`, `ps`, `bt` and `sys` show the crash the guest had.
set -euo pipefail
vmcap=$1 vmcores=$2 cache=$3 tag=${4:-6.1}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
src=$vmcores/$tag/kdump.vmcore
release=$(sed -n 's/^kernel_release=//p' "$vmcores/$tag/kdump.report")
vmlinux=$("$root/scripts/fetch-debug-vmlinux.sh" "$release" "$cache")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$vmcap" filter -d 31 "$src" "$work/core.kdump"
printf 'sys\nlog\nps\nbt\nquit\n' > "$work/cmds"
crash -s "$vmlinux" "$work/core.kdump" -i "$work/cmds" > "$work/out" 2>&1 </dev/null
fail() { echo "FAIL: $*"; cat "$work/out"; exit 1; }
grep -q "RELEASE: $release" "$work/out" || fail "sys does not name $release"
grep -q 'PANIC: "Kernel panic - not syncing: sysrq triggered crash"' "$work/out" || fail "sys has no panic"
grep -q 'vmcap-marker last' "$work/out" || fail "log lacks the guest's markers"
grep -Eq '^>? +1 +0 +[0-9]+ +[0-9a-f]+ +RU .* init$' "$work/out" || fail "ps lacks the running init"
grep -q 'sysrq_handle_crash at' "$work/out" || fail "bt lacks sysrq_handle_crash"
echo "PASS: crash $(crash --version | head -1) opened vmcap's filtered core of $release"
