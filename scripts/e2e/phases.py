#!/usr/bin/env python3
"""Where a capture kernel's time went, from scripts/e2e-kdump.sh's console.log.

    phases.py CONSOLE_LOG PATH [HOST_WALL_SECONDS]

Reads the capture kernel's part of the console (after the crash's sysrq line) and splits
panic -> reboot into phases by time-stamped lines ("[   3.348597] ..."), the kernel's and
those the images write to /dev/kmsg, plus vmcap's own progress lines ("vmcap [ 0.316s]
..."), whose clock starts with vmcap. Prints one line for a human, then key=value lines
(PATH_phase_KEY_s=SECONDS) for the results file. Phases (each ends at the mark named):
  boot           the capture kernel's clock 0 -> "Run /init" (unpack: the initramfs's part)
  init           /init -> the capture's first step (dracut's init.sh or systemd with its
                 hooks; for the image made before vmcap's own network: also udev and the
                 initqueue until dracut's DHCP starts)
  dhcp_dracut    dracut's DHCP (dhclient) and the rest of the initqueue -> vmcap starts
  modules        the NIC drivers (the dracut hook's modprobe, vmcap's /init, busybox insmod)
  network        link and DHCP by vmcap (or busybox udhcpc for the baseline)
  capture        the log and the core uploaded -> "reboot: Restarting system"
  pre_clock      host wall time minus the guest's clock at the reboot: the panic, kexec and
                 the capture kernel's decompression, before its clock starts (with
                 HOST_WALL_SECONDS only; TCG's guest clock may drift from the host's)
"""
import re
import sys

STAMP = re.compile(r"^\[\s*(\d+\.\d+)\]\s?(.*)$")
# vmcap's own line, alone or with a kernel time stamp and "unit[pid]: " (systemd's journal
# forwards a service's output to the console that way)
VMCAP = re.compile(r"^(?:\[\s*\d+\.\d+\]\s?\S+\[\d+\]:\s?)?vmcap \[\s*(\d+\.\d+)s\]\s?(.*)$")
LABELS = {
    "boot": "boot",
    "init": "init",
    "dhcp_dracut": "dracut DHCP+initqueue",
    "modules": "NIC drivers",
    "network": "network",
    "capture": "capture",
    "pre_clock": "before the guest clock",
}


def capture_kernel_lines(text):
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if "sysrq: Trigger a crash" in line:
            lines = lines[i + 1:]
            break
    else:
        return []
    for i, line in enumerate(lines):
        if "Linux version" in line:
            return lines[i:]
    return []


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    console, name = sys.argv[1], sys.argv[2]
    wall = float(sys.argv[3]) if len(sys.argv) > 3 and sys.argv[3] else None
    with open(console, errors="replace") as f:
        lines = capture_kernel_lines(f.read())

    stamped = []  # (time, text) of kernel-stamped lines
    tool = []  # (relative time, text) of vmcap's own lines
    for line in lines:
        m = VMCAP.match(line)
        if m:
            tool.append((float(m.group(1)), m.group(2)))
            continue
        m = STAMP.match(line)
        if m:
            stamped.append((float(m.group(1)), m.group(2)))

    def first(pattern):
        for t, text in stamped:
            if pattern in text:
                return t
        return None

    def tool_first(pattern):
        for t, text in tool:
            if text.startswith(pattern):
                return t
        return None

    t_init = first("Run /init as init process")
    t_end = first("reboot: Restarting system")
    if t_end is None:
        t_end = first("reboot: Power down")
    if t_init is None or t_end is None:
        print("%s: no phases (no 'Run /init' or no reboot line on the console)" % name)
        return
    unpack = None
    t_unpack, t_freed = first("Trying to unpack rootfs image"), first("Freeing initrd memory")
    if t_unpack is not None and t_freed is not None:
        unpack = t_freed - t_unpack

    marks = [("boot", t_init)]  # each phase ends at its mark
    if first("e2e-baseline: init up") is not None:  # busybox, udhcpc, makedumpfile | nc
        marks.append(("init", first("e2e-baseline: init up")))
        marks.append(("modules", first("e2e-baseline: modules loaded")))
        marks.append(("network", first("e2e-baseline: network up")))
    elif first("vmcap: capturing /proc/vmcore") is not None:  # the dracut module
        t_loading = first("vmcap: loading the NIC drivers")
        t_capturing = first("vmcap: capturing /proc/vmcore")
        t_dhcp = first("dracut: Starting dhcp")
        if t_loading is not None:
            marks.append(("init", t_loading))
            marks.append(("modules", first("vmcap: NIC drivers loaded")))
        elif t_dhcp is not None:
            marks.append(("init", t_dhcp))
            marks.append(("dhcp_dracut", t_capturing))
        else:
            marks.append(("init", t_capturing))
        ready = tool_first("network: ready in") or tool_first("network: not up after")
        if ready is not None:  # vmcap brought the network up (vmcap capture --network)
            marks.append(("network", t_capturing + ready))
    else:  # vmcap as /init: its clock starts at "Run /init"
        marks.append(("init", t_init + (tool[0][0] if tool else 0.0)))
        done = tool_first("modules:")
        if done is not None:
            marks.append(("modules", t_init + done))
        ready = tool_first("network: ready in") or tool_first("network: not up after")
        if ready is not None:
            marks.append(("network", t_init + ready))
    marks.append(("capture", t_end))

    phases = []
    last = 0.0
    for key, t in marks:
        if t is None:
            continue
        phases.append((key, max(0.0, t - last)))
        last = max(last, t)
    if wall is not None:
        phases.append(("pre_clock", wall - t_end))

    parts = []
    for key, s in phases:
        text = "%s %.1f" % (LABELS[key], s)
        if key == "boot" and unpack is not None:
            text += " (initramfs unpack %.1f)" % unpack
        parts.append(text)
    print("%s: %s; guest clock at reboot %.1f s" % (name, ", ".join(parts), t_end))
    for key, s in phases:
        print("%s_phase_%s_s=%.2f" % (name, key, s))
    if unpack is not None:
        print("%s_phase_unpack_s=%.2f" % (name, unpack))


if __name__ == "__main__":
    main()
