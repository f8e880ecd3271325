#!/usr/bin/env bash
# capture-run-test.sh BINARY OUT_DIR [CACHE_DIR] [KERNEL]: runs `BINARY info /proc/vmcore` in a
# real kdump capture kernel (scripts/make-test-vmcore.sh --capture-run) and checks that it
# exits 0 and names the kernel release the crashed guest reported.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
binary=$1 out=$2 cache=${3:-} kernel=${4:-6.1}
args=(--capture-run "$binary" --kernel "$kernel" --out "$out")
[ -n "$cache" ] && args+=(--cache "$cache")
"$root/scripts/make-test-vmcore.sh" "${args[@]}" -- info /proc/vmcore
status=$(cat "$out/run.status")
release=$(sed -n 's/^kernel_release=//p' "$out/report")
echo "--- stdout"; cat "$out/run.stdout"
echo "--- stderr"; cat "$out/run.stderr"
echo "--- exit status $status, guest kernel $release"
[ "$status" = 0 ] || { echo "FAIL: exit status $status"; exit 1; }
[ -n "$release" ] || { echo "FAIL: the guest reported no kernel release"; exit 1; }
grep -qF -- "$release" "$out/run.stdout" || { echo "FAIL: output does not name $release"; exit 1; }
echo PASS
