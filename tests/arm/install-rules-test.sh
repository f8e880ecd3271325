#!/usr/bin/env bash
# `cmake --install` puts what keeps a machine armed where systemd, udev, Debian's run-parts
# and kernel-install read it: the units pass `systemd-analyze verify` (their ExecStart
# pointed at the built vmcap), the hooks are executable shell that parses, and a Debian
# postrm hook removes the images of its kernel only.
#   install-rules-test.sh BUILD_DIR VMCAP
set -euo pipefail
build=$1 vmcap=$2
dest=$(mktemp -d)
trap 'rm -rf "$dest"' EXIT
DESTDIR=$dest cmake --install "$build" > "$dest.log" 2>&1 || { cat "$dest.log"; exit 1; }
rm -f "$dest.log"
fail() { echo "install-rules-test: $*" >&2; exit 1; }
units=$(find "$dest" -path '*/lib/systemd/system/vmcap-*' -name 'vmcap-*' | sort)
[ "$(echo "$units" | wc -l)" = 4 ] || fail "want 4 units (arm, arm.path, rearm, pstore), got: $units"
for f in etc/kernel/postinst.d/vmcap etc/kernel/postrm.d/vmcap usr/lib/kernel/install.d/92-vmcap.install; do
  [ -x "$dest/$f" ] || fail "$f is not installed executable"
  sh -n "$dest/$f" || fail "$f does not parse"
done
[ -f "$dest/usr/lib/udev/rules.d/98-vmcap-hotplug.rules" ] || fail "no udev rule"
grep -q 'RUN+="/bin/systemctl --no-block start vmcap-rearm.service"' "$dest/usr/lib/udev/rules.d/98-vmcap-hotplug.rules" ||
  fail "the udev rule does not start vmcap-rearm.service"
grep -q '^ENV{SYNTH_UUID}=="?\*", GOTO="vmcap_end"' "$dest/usr/lib/udev/rules.d/98-vmcap-hotplug.rules" ||
  fail "the udev rule would re-arm on the coldplug events replayed at every boot"

if command -v systemd-analyze > /dev/null; then
  mkdir -p "$dest/verify"
  for u in $units; do sed "s|^\(Exec[A-Za-z]*=\)[^ ]*/vmcap|\1$vmcap|" "$u" > "$dest/verify/$(basename "$u")"; done
  # --man=no: the units name man:vmcap(8), installed under DESTDIR, not where man looks here
  # (tests/package checks the package holds it).
  systemd-analyze verify --man=no "$dest"/verify/* || fail "systemd-analyze verify failed"
else
  echo "install-rules-test: no systemd-analyze here: units not verified" >&2
fi

# The postrm hook removes its kernel's images and nothing else.
hook=$dest/etc/kernel/postrm.d/vmcap
state=$(sed -n 's|^rm -f \(.*\)/images/.*|\1|p' "$hook")
[ "$state" = /var/lib/vmcap ] || fail "the postrm hook does not clean /var/lib/vmcap/images: $state"
sed "s|/var/lib/vmcap|$dest/state|" "$hook" > "$dest/postrm"
mkdir -p "$dest/state/images"
touch "$dest/state/images/capture-6.1.0-1-amd64-aaaa.img" "$dest/state/images/capture-6.1.0-2-amd64-bbbb.img"
sh "$dest/postrm" 6.1.0-1-amd64 /boot/vmlinuz-6.1.0-1-amd64
[ ! -e "$dest/state/images/capture-6.1.0-1-amd64-aaaa.img" ] || fail "postrm left the removed kernel's image"
[ -e "$dest/state/images/capture-6.1.0-2-amd64-bbbb.img" ] || fail "postrm removed another kernel's image"
echo "install-rules-test: units, hooks and udev rule installed and checked"
