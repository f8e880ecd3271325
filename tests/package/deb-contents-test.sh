#!/usr/bin/env bash
# vmcap's Debian package as scripts/build-deb.sh makes it (lintian clean: it refuses the
# package otherwise): the files a user needs, where Debian expects them, the conffiles, the
# maintainer scripts and the control fields.
#
#   tests/package/deb-contents-test.sh REPO_ROOT STATIC_BUILD OUT
set -euo pipefail
root=$1 static_build=$2 out=$3
deb=$("$root/scripts/build-deb.sh" --static-build "$static_build" --out "$out")
bad=0
ok() { echo "ok: $*"; }
no() { echo "FAIL: $*"; bad=1; }
contents=$(dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|')
for f in /usr/sbin/vmcap /etc/vmcap.conf /lib/systemd/system/vmcap-arm.service /lib/systemd/system/vmcap-arm.path \
         /lib/systemd/system/vmcap-rearm.service /lib/systemd/system/vmcap-pstore.service \
         /lib/systemd/system/systemd-pstore.service.d/vmcap.conf /etc/kernel/postinst.d/vmcap /etc/kernel/postrm.d/vmcap \
         /usr/lib/kernel/install.d/92-vmcap.install /usr/lib/udev/rules.d/98-vmcap-hotplug.rules \
         /usr/lib/dracut/modules.d/99vmcap/module-setup.sh /usr/share/man/man8/vmcap.8.gz /usr/share/man/man5/vmcap.conf.5.gz \
         /usr/share/bash-completion/completions/vmcap /usr/share/doc/vmcap/copyright /usr/share/doc/vmcap/changelog.gz \
         /usr/share/doc/vmcap/README.md /usr/share/doc/vmcap/config.md /usr/share/doc/vmcap/arming.md \
         /usr/share/doc/vmcap/vmcap.conf.example /usr/share/lintian/overrides/vmcap; do
  if grep -qxF "$f" <<<"$contents"; then ok "holds $f"; else no "no $f in $deb"; fi
done
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
dpkg-deb -e "$deb" "$tmp/control"
for f in /etc/vmcap.conf /etc/kernel/postinst.d/vmcap /etc/kernel/postrm.d/vmcap; do
  if grep -qxF "$f" "$tmp/control/conffiles"; then ok "conffile $f"; else no "$f is not a conffile"; fi
done
for s in postinst prerm postrm; do
  if sh -n "$tmp/control/$s"; then ok "$s parses"; else no "$s does not parse"; fi
done
grep -q "deb-systemd-helper enable 'vmcap-arm.service'" "$tmp/control/postinst" && ok "postinst enables vmcap-arm.service" ||
  no "postinst does not enable vmcap-arm.service"
grep -q "deb-systemd-helper enable 'vmcap-pstore.service'" "$tmp/control/postinst" && ok "postinst enables vmcap-pstore.service" ||
  no "postinst does not enable vmcap-pstore.service"
grep -q "deb-systemd-invoke start.*vmcap-pstore" "$tmp/control/postinst" && no "postinst starts vmcap-pstore.service (it runs at boot)" ||
  ok "vmcap-pstore.service is not started at install"
grep -q "try-reload-or-restart vmcap-arm.service" "$tmp/control/postinst" && ok "postinst re-arms on upgrade by a reload" ||
  no "postinst does not reload vmcap-arm.service on upgrade"
grep -q "deb-systemd-invoke stop.*vmcap-arm" "$tmp/control/preinst" 2>/dev/null &&
  no "preinst stops a unit (an upgrade would disarm)" || ok "nothing stopped before an upgrade"
grep -q 'if \[ -z "${DPKG_ROOT:-}" \] && \[ "$1" = remove \]' "$tmp/control/prerm" && ok "prerm stops the units on remove only" ||
  no "prerm does not limit the stop to remove"
grep -qF 'rm -rf "$root/var/lib/vmcap"' "$tmp/control/postrm" && ! grep -q "/var/crash" <(grep -v '^#' "$tmp/control/postrm") &&
  ok "postrm purges /var/lib/vmcap and leaves /var/crash" || no "postrm: /var/lib/vmcap not purged or /var/crash touched"
fields=$(dpkg-deb -f "$deb" Package Version Architecture Built-Using Conflicts)
for src in glibc elfutils curl openssl; do
  grep -q "^Built-Using: .*\b$src (= " <<<"$fields" && ok "Built-Using names $src" || no "Built-Using has no $src: $(grep Built-Using <<<"$fields")"
done
# The binary in the package runs and is the static one.
dpkg-deb -x "$deb" "$tmp/root"
"$tmp/root/usr/sbin/vmcap" --version > /dev/null && ok "/usr/sbin/vmcap runs" || no "/usr/sbin/vmcap does not run"
file "$tmp/root/usr/sbin/vmcap" 2>/dev/null | grep -q 'statically linked' && ok "/usr/sbin/vmcap is static" ||
  no "/usr/sbin/vmcap is not statically linked"
"$tmp/root/usr/sbin/vmcap" check-config "$tmp/root/etc/vmcap.conf" > /dev/null && ok "/etc/vmcap.conf passes check-config" ||
  no "/etc/vmcap.conf does not pass check-config"
grep -q '^url = file:///var/crash$' "$tmp/root/etc/vmcap.conf" && ok "/etc/vmcap.conf saves to file:///var/crash" ||
  no "/etc/vmcap.conf does not default to file:///var/crash"
grep -q "^ExecStart=/usr/sbin/vmcap arm$" "$tmp/root/lib/systemd/system/vmcap-arm.service" && ok "the unit runs /usr/sbin/vmcap" ||
  no "vmcap-arm.service does not run /usr/sbin/vmcap arm"
echo "lintian: $(grep -c '^[EW]:' "$out/lintian.log" 2>/dev/null || true) errors and warnings (build-deb.sh refuses any); $(grep -c '^[IP]:' "$out/lintian.log" 2>/dev/null || true) informational tags"
exit $bad
