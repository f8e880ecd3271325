#!/usr/bin/env python3
"""vmcoreinfo.py ELF_CORE: prints the text of the VMCOREINFO note of an ELF core file.

For the test vmcores scripts/make-test-vmcore.sh makes (QEMU's ELF dumps, /proc/vmcore
copies): a copy of the note next to each dump, for people and tests to read without a
parser. ELF64 little-endian only (x86_64, aarch64). Exits 1 when there is no such note.
"""
import struct
import sys


def notes(f, off, size):
    f.seek(off)
    data = f.read(size)
    pos = 0
    while pos + 12 <= len(data):
        namesz, descsz, ntype = struct.unpack_from("<III", data, pos)
        pos += 12
        name = data[pos:pos + namesz].rstrip(b"\0")
        pos += (namesz + 3) & ~3
        desc = data[pos:pos + descsz]
        pos += (descsz + 3) & ~3
        yield name, ntype, desc


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: vmcoreinfo.py ELF_CORE")
    with open(sys.argv[1], "rb") as f:
        ehdr = f.read(64)
        if ehdr[:4] != b"\x7fELF" or ehdr[4] != 2 or ehdr[5] != 1:
            sys.exit("vmcoreinfo.py: not an ELF64 little-endian file")
        phoff, = struct.unpack_from("<Q", ehdr, 32)
        phentsize, phnum = struct.unpack_from("<HH", ehdr, 54)
        for i in range(min(phnum, 4096)):
            f.seek(phoff + i * phentsize)
            ptype, _, poff, _, _, filesz = struct.unpack("<IIQQQQ", f.read(40))
            if ptype != 4:  # PT_NOTE
                continue
            for name, _, desc in notes(f, poff, min(filesz, 1 << 24)):
                if name == b"VMCOREINFO":
                    sys.stdout.write(desc.rstrip(b"\0").decode("utf-8", "replace"))
                    return
    sys.exit("vmcoreinfo.py: no VMCOREINFO note")


if __name__ == "__main__":
    main()
