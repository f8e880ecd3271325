#!/usr/bin/env python3
"""strip-pe-signature.py IN OUT: OUT is the PE image IN (an EFI-stub bzImage) without its
Authenticode signature: the certificate table's data directory entry zeroed and the table
(at the file's end) cut off. scripts/e2e-secure-boot.sh's negative control."""
import struct
import sys

data = bytearray(open(sys.argv[1], "rb").read())
pe = struct.unpack_from("<I", data, 0x3C)[0]
if data[pe:pe + 4] != b"PE\0\0":
    sys.exit("%s: not a PE image" % sys.argv[1])
opt = pe + 24
magic = struct.unpack_from("<H", data, opt)[0]
dirs = opt + (112 if magic == 0x20B else 96)
sec = dirs + 4 * 8  # IMAGE_DIRECTORY_ENTRY_SECURITY
off, size = struct.unpack_from("<II", data, sec)
if off == 0 or size == 0:
    sys.exit("%s: no signature" % sys.argv[1])
struct.pack_into("<II", data, sec, 0, 0)
if off + size == len(data):
    del data[off:]
open(sys.argv[2], "wb").write(data)
print("removed the signature: %d bytes at %d" % (size, off))
