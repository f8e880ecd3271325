#!/bin/sh
# Runs `vmcap capture` once per boot when this is a kdump capture kernel (/proc/vmcore).
# vmcap does the config's final action itself (reboot by default). If it comes back (its
# reboot failed, or it was killed) this reboots, unless the config asks for none or a shell.
[ -e /proc/vmcore ] || exit 0
[ -e /run/vmcap-capture.started ] && exit 0
: > /run/vmcap-capture.started
echo "vmcap: capturing /proc/vmcore" > /dev/kmsg
/usr/sbin/vmcap capture --config /etc/vmcap.conf
status=$?
echo "vmcap: capture ended with exit status $status" > /dev/kmsg
if grep -Eq '^[[:space:]]*(final|failure)_action[[:space:]]*=[[:space:]]*(none|shell)[[:space:]]*$' \
    /etc/vmcap.conf 2> /dev/null; then
    exit "$status"
fi
sync
reboot -f
exit "$status"
