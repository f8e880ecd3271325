#!/usr/bin/python3
# Oracle: libkdumpfile (Debian python3-libkdumpfile) reads a dump. Prints the format and
# the utsname release it found, then writes the pages listed in PFN_FILE (one hex pfn a
# line) back to back into OUT, read as machine physical addresses.
#   libkdumpfile_pages.py DUMP PFN_FILE OUT
import sys
import kdumpfile

dump, pfn_file, out = sys.argv[1:4]
k = kdumpfile.kdumpfile(dump)
print("format", k.attr["file.format"])
try:
    print("release", k.attr["linux.uts.release"])
except Exception as e:  # the attribute is optional in libkdumpfile
    print("release ?", e)
with open(pfn_file) as f, open(out, "wb") as o:
    for line in f:
        pfn = int(line, 16)
        o.write(k.read(kdumpfile.KDUMP_MACHPHYSADDR, pfn * 4096, 4096))
