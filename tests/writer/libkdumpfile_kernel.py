#!/usr/bin/python3
# Oracle: libkdumpfile (Debian python3-libkdumpfile; /usr/bin/python3, not a pyenv shim)
# opens a dump as Linux and reads the kernel's own utsname through its address translation
# (KDUMP_KVADDR), whatever the dump's architecture. Prints one KEY VALUE a line:
# format, arch, page_size, then uts_sysname/uts_release/uts_machine from init_uts_ns.
#   libkdumpfile_kernel.py DUMP
import sys
import kdumpfile

k = kdumpfile.kdumpfile(sys.argv[1])
a = k.attr
print("format", a["file.format"])
print("arch", a["arch.name"])
print("page_size", a["arch.page_size"])
a["addrxlat.ostype"] = "linux"
info = a["linux.vmcoreinfo.lines"]
# uts_namespace.name follows a kref (4 bytes) where VMCOREINFO does not say (5.10).
name = int(info["SYMBOL(init_uts_ns)"], 16) + int(info.get("OFFSET(uts_namespace.name)", "4"))
uts = k.read(kdumpfile.KDUMP_KVADDR, name, 65 * 5)
for i, key in ((0, "sysname"), (2, "release"), (4, "machine")):
    print("uts_" + key, bytes(uts[65 * i:65 * (i + 1)]).split(b"\0")[0].decode())
