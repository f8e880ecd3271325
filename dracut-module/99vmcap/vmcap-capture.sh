#!/bin/sh
# Runs `vmcap capture` once per boot when this is a kdump capture kernel (/proc/vmcore), the
# way module-setup.sh made the image (/etc/vmcap-dracut.conf):
#   VMCAP_NETWORK  vmcap: vmcap brings the network up itself (`vmcap capture --network`);
#                  dracut: dracut's network is up already; none: no remote destination.
#   VMCAP_STAGE    early: run before udev, so the NIC drivers are loaded here; late: after
#                  udev, which loaded them.
#   VMCAP_NET_MODULES  the config's [network] modules, loaded here too.
# vmcap does the config's final action itself (reboot by default). If it comes back (its
# reboot failed, or it was killed) this reboots, unless the config asks for none or a shell.
[ -e /proc/vmcore ] || exit 0
[ -e /run/vmcap-capture.started ] && exit 0
: > /run/vmcap-capture.started
VMCAP_NETWORK=none
VMCAP_STAGE=late
VMCAP_NET_MODULES=
# shellcheck disable=SC1091  # written into the image by module-setup.sh
[ -r /etc/vmcap-dracut.conf ] && . /etc/vmcap-dracut.conf

kmsg() { echo "vmcap: $*" > /dev/kmsg; }

# The drivers udev's coldplug would load for the network devices present: the network
# controllers on PCI (class 0x02: a NIC's driver, or virtio_pci under a virtio NIC), then
# every device on any bus (virtio, vmbus, xen, platform...) whose driver in this image is a
# network driver (kernel/drivers/net), then the config's [network] modules.
load_nic_drivers() {
    set --
    for d in /sys/bus/pci/devices/*; do
        read -r class 2> /dev/null < "$d/class" || continue
        case $class in
            0x02*) read -r alias < "$d/modalias" && set -- "$@" "$alias" ;;
        esac
    done
    [ $# -eq 0 ] || modprobe -q -b -a "$@"
    net=" $(while IFS=: read -r path _; do
        case $path in */drivers/net/*)
            f=${path##*/}
            echo "${f%%.ko*}"
            ;;
        esac
    done < "/lib/modules/$(uname -r)/modules.dep" | tr '\n-' ' _') "
    set --
    for f in /sys/bus/*/devices/*/modalias; do
        read -r alias 2> /dev/null < "$f" && set -- "$@" "$alias"
    done
    load=
    # shellcheck disable=SC2046  # module names, split on purpose
    [ $# -eq 0 ] || set -- $(modprobe -q -R -a "$@" 2> /dev/null)
    for m in "$@"; do
        case $net in *" $m "*) load="$load $m" ;; esac
    done
    # shellcheck disable=SC2086  # module names, split on purpose
    [ -z "$load$VMCAP_NET_MODULES" ] || modprobe -q -b -a $load $VMCAP_NET_MODULES
    echo "${load# }"
}

network_option=
if [ "$VMCAP_NETWORK" = vmcap ]; then
    network_option=--network
    if [ "$VMCAP_STAGE" = early ]; then
        kmsg "loading the NIC drivers"
        kmsg "NIC drivers loaded: $(load_nic_drivers)"
    elif [ -n "$VMCAP_NET_MODULES" ]; then
        # shellcheck disable=SC2086  # module names, split on purpose
        modprobe -q -b -a $VMCAP_NET_MODULES
    fi
    read -r cmdline < /proc/cmdline
    for arg in $cmdline; do
        case $arg in
            ip=* | rd.neednet=*)
                kmsg "$arg is not used: vmcap brings the network up from [network] of /etc/vmcap.conf" \
                    "(an image made with VMCAP_NETWORK=dracut uses dracut's network)"
                ;;
        esac
    done
fi
kmsg "capturing /proc/vmcore"
/usr/sbin/vmcap capture --config /etc/vmcap.conf $network_option
status=$?
kmsg "capture ended with exit status $status"
# final_action or failure_action none or shell: the machine stays up. Read with the shell
# alone (the image need not have grep).
while IFS='=' read -r key value; do
    key=${key#"${key%%[![:space:]]*}"}
    key=${key%"${key##*[![:space:]]}"}
    value=${value#"${value%%[![:space:]]*}"}
    value=${value%"${value##*[![:space:]]}"}
    case "$key=$value" in
        final_action=none | final_action=shell | failure_action=none | failure_action=shell) exit "$status" ;;
    esac
done < /etc/vmcap.conf
sync
reboot -f
exit "$status"
