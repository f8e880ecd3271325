#!/bin/sh
# shellcheck disable=SC2034  # root and rootok are read by dracut's init after this hook
# cmdline hook (sourced; no systemd): a capture kernel has no root file system to wait for.
# A placeholder root lets dracut's init go on to the hook where vmcap-hook.sh runs the
# capture (pre-udev or pre-mount; it ends in the final action, a reboot by default).
if [ -e /proc/vmcore ] && [ -z "$root" ]; then
    root=vmcap-capture
    rootok=1
fi
