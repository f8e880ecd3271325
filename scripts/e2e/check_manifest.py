#!/usr/bin/env python3
"""check_manifest.py DIR: the capture directory a vmcap capture left on a server is whole.

The manifest is vmcap-manifest/1 and complete; its artifacts are dmesg.txt, dmesg.json and
the core, vmcore.flat (or vmcore.flat.zst with core_format = flat-zstd, then the manifest's
dump.core_format says flat-zstd), each on the server with the manifest's size and sha256. Prints one summary
line ("manifest complete=True, artifacts ..., core N bytes, host H") and a "BAD: ..." line
per fault; exits 1 when there is any. Used by scripts/e2e-kdump.sh and
scripts/e2e-debian-system.sh.
"""
import hashlib
import json
import os
import sys

d = sys.argv[1]
try:
    m = json.load(open(os.path.join(d, "manifest.json")))
except (OSError, ValueError) as e:
    print("BAD: manifest.json: %s" % e)
    sys.exit(1)
bad = []
if m.get("schema") != "vmcap-manifest/1":
    bad.append("schema %r" % m.get("schema"))
if m.get("complete") is not True:
    bad.append("complete is %r" % m.get("complete"))
names = [a["name"] for a in m.get("artifacts", [])]
core_name = "vmcore.flat.zst" if "vmcore.flat.zst" in names else "vmcore.flat"
if sorted(names) != sorted(["dmesg.json", "dmesg.txt", core_name]):
    bad.append("artifacts %r" % names)
want_format = "flat-zstd" if core_name == "vmcore.flat.zst" else "flattened-kdump"
if m.get("dump", {}).get("core_format") != want_format:
    bad.append("dump.core_format %r with %s" % (m.get("dump", {}).get("core_format"), core_name))
for a in m.get("artifacts", []):
    p = os.path.join(d, a["name"])
    if not os.path.isfile(p):
        bad.append(a["name"] + " missing on the server")
        continue
    h = hashlib.sha256()
    with open(p, "rb") as f:
        for b in iter(lambda: f.read(1 << 20), b""):
            h.update(b)
    if h.hexdigest() != a["sha256"]:
        bad.append(a["name"] + " sha256 differs from the manifest")
    if os.path.getsize(p) != a["size"]:
        bad.append(a["name"] + " size differs from the manifest")
core = next((a["size"] for a in m.get("artifacts", []) if a["name"] == core_name), 0)
print("manifest complete=%s, artifacts %s, core %d bytes, host %s"
      % (m.get("complete"), ",".join(sorted(names)), core, m.get("host")))
for b in bad:
    print("BAD: " + b)
sys.exit(1 if bad else 0)
