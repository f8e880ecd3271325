#!/usr/bin/env python3
"""Writes N crash index entries (schema vmcap-index/1, docs/index.md) straight into the S3
test server's store (tests/upload/s3server: @20minutes/s3rver's filesystem layout, an object
and its .md5 beside it), as a fleet would leave them: G signatures with a long tail (a few
bugs hit most), thousands of hosts, a handful of kernel releases, 90 days of crashes, the
first capture of each bug holding the core and the others skipped, a 20-line log tail each
(entries of 2-3 KiB, like the real ones). Used by scripts/bench-report.sh.

  bench-report-entries.py STORE_DIR BUCKET PREFIX ENTRIES SIGNATURES [SEED]
"""
import hashlib
import json
import os
import random
import sys

store, bucket, prefix, entries, signatures = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
rng = random.Random(int(sys.argv[6]) if len(sys.argv) > 6 else 19)

REASONS = [
    "Kernel panic - not syncing: sysrq triggered crash",
    "BUG: kernel NULL pointer dereference, address: 0000000000000008",
    "Kernel panic - not syncing: Fatal exception in interrupt",
    "kernel BUG at mm/slub.c:379!",
    "general protection fault, probably for non-canonical address 0xdead000000000100",
    "Kernel panic - not syncing: hung_task: blocked tasks",
    "Kernel panic - not syncing: softlockup: hung tasks",
    "Unable to handle kernel paging request at virtual address ffff800012345678",
]
FUNCS = ["sysrq_handle_crash", "__handle_sysrq", "write_sysrq_trigger", "proc_reg_write", "vfs_write", "ksys_write",
         "do_syscall_64", "entry_SYSCALL_64_after_hwframe", "tcp_v4_rcv", "ip_local_deliver_finish", "__netif_receive_skb",
         "ext4_writepages", "do_writepages", "blk_mq_run_hw_queue", "nvme_queue_rq", "kmem_cache_free", "list_del",
         "xfs_buf_ioend", "mlx5e_napi_poll", "net_rx_action", "__do_softirq", "irq_exit_rcu", "watchdog_timer_fn"]
KERNELS = ["5.10.0-32-amd64", "6.1.0-50-amd64", "6.1.0-51-amd64", "6.12.95+deb12-amd64", "6.1.0-50-arm64",
           "6.1.0-51-arm64", "6.12.95+deb12-arm64", "5.10.0-33-amd64"]
ROLES = ["web", "db", "cache", "batch", "edge", "k8s-node"]
START = 1796083200 - 90 * 86400  # 90 days before 2026-12-01

sigs = []
for s in range(signatures):
    frames = rng.sample(FUNCS, 8)
    reason = rng.choice(REASONS)
    h = hashlib.sha256((reason + "|" + "|".join(frames) + str(s)).encode()).hexdigest()[:16]
    sigs.append({"hash": h, "reason": reason, "frames": frames, "symbol": frames[0] + "+0x%x/0x%x" % (rng.randrange(16, 512), 512),
                 "holder": None})
weights = [1.0 / (i + 1) ** 1.1 for i in range(signatures)]  # a long tail
hosts = ["%s-%04d" % (rng.choice(ROLES), i) for i in range(5000)]

root = os.path.join(store, bucket, *prefix.split("/"), "index")
for n in range(entries):
    sig = rng.choices(sigs, weights)[0] if n >= signatures else sigs[n]  # every signature at least once
    host = rng.choice(hosts)
    t = START + rng.randrange(90 * 86400)
    stamp = __import__("time").strftime("%Y%m%dT%H%M%SZ", __import__("time").gmtime(t))
    directory = "%s-%s-%08x" % (host, stamp, n)
    kernel = rng.choice(KERNELS)
    kept = sig["holder"] is None
    if kept:
        sig["holder"] = directory
    entry = {
        "schema": "vmcap-index/1", "directory": directory, "destination": "s3", "source": "vmcore", "complete": True,
        "crash_time_unix": t, "started": "2026-12-01T00:00:00Z", "host": host, "vmcap_version": "0.1.0",
        "kernel": {"release": kernel, "build_id": hashlib.sha1(kernel.encode()).hexdigest(), "machine": "x86_64"},
        "crash": {"hash": sig["hash"], "reason": sig["reason"], "symbol": sig["symbol"], "frames": sig["frames"]},
        "core": {"kept": kept, "name": "vmcore.flat" if kept else "", "size": rng.randrange(20 << 20, 400 << 20) if kept else 0,
                 "format": "flattened-kdump",
                 "note": "" if kept else "skipped: 1 capture(s) of crash signature %s already hold a core (%s): cores_per_signature = 1" % (sig["hash"], sig["holder"]),
                 "holders": [] if kept else [sig["holder"]]},
        "artifacts": ["dmesg.txt", "dmesg.json"] + (["vmcore.flat"] if kept else []) + ["manifest.json"],
        "vmcore": "/proc/vmcore", "pstore_backend": "",
        "log_tail": ["[%8.6f]  %s+0x%x/0x%x" % (100 + i * 0.0001, f, rng.randrange(16, 400), 512)
                     for i, f in enumerate((sig["frames"] * 3)[:20])],
    }
    body = json.dumps(entry, indent=2).encode() + b"\n"
    folder = os.path.join(root, sig["hash"])
    os.makedirs(folder, exist_ok=True)
    base = os.path.join(folder, directory + ".json._S3rver_object")
    with open(base, "wb") as f:
        f.write(body)
    with open(base + ".md5", "w") as f:
        f.write(hashlib.md5(body).hexdigest())
print("%d entries over %d signatures in %s" % (entries, signatures, root))
