#!/bin/bash
# shellcheck disable=SC2154  # moddir, initdir, systemdsystemunitdir, SYSTEMCTL: set by dracut
# dracut module 99vmcap: the kdump capture with vmcap. In a capture kernel (/proc/vmcore
# exists) it runs `vmcap capture`, which uploads the log and the core where /etc/vmcap.conf
# says and reboots; in any other boot it does nothing.
#
# Build-time environment (or a dracut.conf.d file): VMCAP_BINARY (default: vmcap on PATH;
# the static one is best), VMCAP_CONFIG (default /etc/vmcap.conf; installed as
# /etc/vmcap.conf), VMCAP_NETWORK (vmcap, the default, or dracut; see vmcap_network_mode).

vmcap_binary() { echo "${VMCAP_BINARY:-$(command -v vmcap)}"; }
vmcap_config() { echo "${VMCAP_CONFIG:-/etc/vmcap.conf}"; }

# vmcap_config_values KEY...: the values of those keys, one a line, in any section.
vmcap_config_values() {
    local keys=" $* "
    awk -v keys="$keys" '
        /^[ \t]*[#;]/ || /^[ \t]*\[/ { next }
        {
            eq = index($0, "="); if (eq == 0) next
            k = substr($0, 1, eq - 1); v = substr($0, eq + 1)
            gsub(/^[ \t]+|[ \t]+$/, "", k); gsub(/^[ \t]+|[ \t]+$/, "", v)
            if (v != "" && index(keys, " " k " ")) print v
        }' "$(vmcap_config)"
}

# True when a destination is not a local file: the image then needs the network.
vmcap_needs_network() {
    vmcap_config_values url | grep -qv '^file://'
}

# Who brings the capture kernel's network up:
#   none    every destination is a file:// one: no network at all.
#   vmcap   (the default) vmcap itself, `vmcap capture --network`: the config's [network]
#           section, or DHCP on the first Ethernet interface when it has none. No dhclient,
#           no initqueue wait: the fast path.
#   dracut  VMCAP_NETWORK=dracut: dracut's network-legacy (dhclient), `rd.neednet=1 ip=dhcp`
#           unless the capture kernel's command line says otherwise with ip=: for bonds,
#           VLANs, bridges, IPv6, or anything else [network] cannot say.
vmcap_network_mode() {
    if ! vmcap_needs_network; then
        echo none
    elif [[ ${VMCAP_NETWORK:-vmcap} == dracut ]]; then
        echo dracut
    else
        echo vmcap
    fi
}

# When the capture runs:
#   early  before udev starts (the shell init's pre-udev hook; with systemd, a unit ordered
#          before systemd-udevd): vmcap-capture loads the NIC drivers itself. Only for
#          vmcap's network on the interface `auto` or a kernel name (eth0), with no file://
#          destination: without udev no interface is renamed and no disk is probed.
#   late   after udev (pre-mount; with systemd, after the udev trigger and the initqueue,
#          and after network-online.target for dracut's network): everything else.
vmcap_stage() {
    [[ $(vmcap_network_mode) == vmcap ]] || { echo late; return; }
    vmcap_config_values url | grep -q '^file://' && { echo late; return; }
    case $(vmcap_config_values interface | head -n 1) in
        '' | auto | eth[0-9]*) echo early ;;
        *) echo late ;;
    esac
}

# Included only when asked for (--add vmcap, -m vmcap) or when a kdump image is built
# (IN_KDUMP=1, as mkdumprd sets it); then the binary and the config must exist.
check() {
    local bin
    bin=$(vmcap_binary)
    if [[ -z $bin || ! -x $bin ]]; then
        derror "vmcap: no vmcap binary (set VMCAP_BINARY or put vmcap on PATH)"
        return 1
    fi
    if [[ ! -r $(vmcap_config) ]]; then
        derror "vmcap: cannot read $(vmcap_config)"
        return 1
    fi
    [[ $IN_KDUMP == 1 ]] && return 0
    return 255
}

# dracut's network only when asked for (network-legacy rather than the handler dracut
# would pick: it honours the rd.neednet=1 ip=dhcp written below, with systemd in the
# image or without it).
depends() {
    if [[ $(vmcap_network_mode) == dracut ]]; then echo base network-legacy network; else echo base; fi
    return 0
}

# The wired NIC drivers (hostonly: the host's NICs only), virtio_pci (the transport a virtio
# NIC sits on), and the modules the config's [network] section names. With dracut's network
# its kernel-network-modules adds the rest.
installkernel() {
    local mode m
    mode=$(vmcap_network_mode)
    [[ $mode == none ]] && return 0
    if [[ $mode == vmcap ]]; then
        # What kernel-network-modules takes, without wireless, bridges, bonds and VLANs.
        dracut_instmods -o -P ".*/(wireless|isdn|uwb|net/ethernet|net/phy|net/team)/.*" \
            -s 'eth_type_trans|register_virtio_device|usbnet_open' "=drivers/net"
        instmods '=drivers/net/phy' '=drivers/net/mdio'
    fi
    instmods '=drivers/net/ethernet' virtio_net virtio_pci af_packet
    for m in $(vmcap_config_values modules | tr ',' ' '); do
        hostonly='' instmods "$m"
    done
    return 0
}

install() {
    local bin conf f problems mode stage units
    bin=$(vmcap_binary)
    conf=$(vmcap_config)
    mode=$(vmcap_network_mode)
    stage=$(vmcap_stage)
    inst_binary "$bin" /usr/sbin/vmcap
    inst_simple "$conf" /etc/vmcap.conf
    # A broken config still captures (what parsed, then the fallbacks): say so, go on.
    if ! problems=$("$bin" check-config "$conf" 2>&1); then
        dwarning "vmcap: $conf has problems (the capture keeps what parsed):"
        dwarning "$problems"
    fi
    # Every file the config names: secrets keep their mode (inst_simple copies it).
    for f in $(vmcap_config_values ca_file client_cert client_key bearer_token_file \
        password_file access_key_file secret_key_file identity_file known_hosts); do
        if [[ -r $f ]]; then
            inst_simple "$f"
        else
            dwarning "vmcap: $conf names $f, which cannot be read: not in the image"
        fi
    done
    # TLS without ca_file verifies against the system's bundle.
    if vmcap_config_values url | grep -Eq '^(https|s3)://'; then
        inst_multiple -o /etc/ssl/certs/ca-certificates.crt /etc/pki/tls/certs/ca-bundle.crt
    fi
    inst_script "$moddir/vmcap-capture.sh" /sbin/vmcap-capture
    inst_multiple -o reboot sync
    # What vmcap-capture does in this image.
    {
        echo "# written by dracut's 99vmcap module: how /sbin/vmcap-capture runs the capture"
        echo "VMCAP_NETWORK=$mode"
        echo "VMCAP_STAGE=$stage"
        echo "VMCAP_NET_MODULES=\"$(vmcap_config_values modules | tr ',' ' ' | xargs)\""
    } > "$initdir/etc/vmcap-dracut.conf"
    if [[ $mode == dracut ]]; then
        # dracut's own network brings the NIC up (DHCP unless the kernel command line of the
        # capture kernel says otherwise with ip=) and its initqueue waits for it.
        mkdir -p "$initdir/etc/cmdline.d"
        echo "rd.neednet=1 ip=dhcp" > "$initdir/etc/cmdline.d/95vmcap-network.conf"
    fi
    # Without systemd: a capture kernel has no root= to mount; the cmdline hook gives dracut
    # one so that init goes on. The capture runs in the pre-udev hook (early) or in
    # pre-mount, after the initqueue (late); pre-mount and pre-pivot also catch an image
    # booted with a real root=. vmcap-capture runs once per boot, whichever hook comes first.
    inst_hook cmdline 99 "$moddir/vmcap-root.sh"
    if [[ $stage == early ]] && ! dracut_module_included systemd; then
        inst_hook pre-udev 99 "$moddir/vmcap-hook.sh"
    fi
    inst_hook pre-mount 99 "$moddir/vmcap-hook.sh"
    inst_hook pre-pivot 99 "$moddir/vmcap-hook.sh"
    if dracut_module_included systemd; then
        inst_simple "$moddir/vmcap-capture.service" "$systemdsystemunitdir/vmcap-capture.service"
        mkdir -p "$initdir$systemdsystemunitdir/vmcap-capture.service.d"
        if [[ $stage == early ]]; then
            # Before udev, and before the other early units too (dracut's cmdline hook,
            # journald, static device nodes, sysctl): with one CPU they only slow the capture,
            # which ends in a reboot. So the output goes to the console itself, not the journal.
            units="systemd-udevd.service systemd-udev-trigger.service dracut-pre-udev.service"
            units="$units dracut-pre-trigger.service dracut-initqueue.service dracut-cmdline.service"
            units="$units dracut-cmdline-ask.service systemd-journald.service kmod-static-nodes.service"
            units="$units systemd-tmpfiles-setup-dev.service systemd-sysctl.service"
            printf '[Unit]\nBefore=%s\n\n[Service]\nStandardOutput=tty\nStandardError=tty\nTTYPath=/dev/console\n' \
                "$units" > "$initdir$systemdsystemunitdir/vmcap-capture.service.d/stage.conf"
        else
            printf '[Unit]\nAfter=systemd-udev-trigger.service dracut-initqueue.service\n' \
                > "$initdir$systemdsystemunitdir/vmcap-capture.service.d/stage.conf"
        fi
        if [[ $mode == dracut ]]; then
            printf '[Unit]\nWants=network-online.target\nAfter=network-online.target\n' \
                > "$initdir$systemdsystemunitdir/vmcap-capture.service.d/network.conf"
        fi
        $SYSTEMCTL -q --root "$initdir" add-wants initrd.target vmcap-capture.service
        # systemd-networkd reads ip= from the kernel command line only, not cmdline.d.
        if [[ $mode == dracut ]] && dracut_module_included systemd-networkd; then
            mkdir -p "$initdir/etc/systemd/network"
            printf '[Match]\nType=ether\n\n[Network]\nDHCP=ipv4\n' \
                > "$initdir/etc/systemd/network/90-vmcap-dhcp.network"
        fi
    fi
    [[ $stage == late ]] && dracut_need_initqueue
    return 0
}
