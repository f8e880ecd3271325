// Crash signatures from kernel log texts as real kernels print them (x86_64 5.10-6.12
// formats, an old 4.x "[<addr>]" trace, arm64), and what the hash must and must not
// distinguish. The real dumps are in signature_real_vmcore_test.
#include <gtest/gtest.h>

#include <sstream>

#include "capture/signature/crash_signature.h"

namespace vmcap {
namespace {

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// 6.1 sysrq-c with kdump loaded (Debian 6.1.176), as the record texts.
const char* kSysrq61 = R"(sysrq: Trigger a crash
Kernel panic - not syncing: sysrq triggered crash
CPU: 0 PID: 1 Comm: init Kdump: loaded Not tainted 6.1.0-50-amd64 #1  Debian 6.1.176-1
Hardware name: QEMU Standard PC (i440FX + PIIX, 1996), BIOS 1.16.2-debian-1.16.2-1 04/01/2014
Call Trace:
 <TASK>
 dump_stack_lvl+0x44/0x5c
 panic+0x118/0x2f4
 sysrq_handle_crash+0x16/0x20
 __handle_sysrq.cold+0x44/0x11c
 write_sysrq_trigger+0x24/0x40
 proc_reg_write+0x56/0xa0
 vfs_write+0xc7/0x3f0
 ksys_write+0x6b/0xf0
 do_syscall_64+0x5d/0xb0
 ? __x64_sys_fcntl+0x90/0xc0
 ? exit_to_user_mode_prepare+0x44/0x240
 entry_SYSCALL_64_after_hwframe+0x6e/0xd8
RIP: 0033:0x47b7a0
Code: 40 00 48 c7 c2 e0 ff ff ff f7 d8 64 89 02 48 c7 c0 ff ff ff ff eb b7 0f 1f 00 80 3d e8 85 16 00 00
RSP: 002b:00007ffe249d1b78 EFLAGS: 00000202 ORIG_RAX: 0000000000000001
 </TASK>
Kernel Offset: 0xe400000 from 0xffffffff81000000 (relocation range: 0xffffffff80000000-0xffffffffbfffffff))";

// The same crash on 5.10 (no <TASK>, dump_stack, "? printk" between the machinery).
const char* kSysrq510 = R"([   16.272679] sysrq: Trigger a crash
[   16.273024] Kernel panic - not syncing: sysrq triggered crash
[   16.273446] CPU: 3 PID: 4711 Comm: bash Kdump: loaded Not tainted 5.10.0-32-amd64 #1 Debian 5.10.223-1
[   16.273894] Call Trace:
[   16.275403]  dump_stack+0x6b/0x83
[   16.275518]  panic+0x114/0x2f1
[   16.275579]  ? printk+0x58/0x73
[   16.275638]  sysrq_handle_crash+0x16/0x20
[   16.275716]  __handle_sysrq.cold+0x43/0x11a
[   16.275806]  write_sysrq_trigger+0x24/0x40
[   16.275875]  proc_reg_write+0x51/0x90
[   16.275939]  vfs_write+0xc4/0x270
[   16.275996]  ksys_write+0x5f/0xe0
[   16.276054]  do_syscall_64+0x33/0x80
[   16.276113]  entry_SYSCALL_64_after_hwframe+0x67/0xd1
[   16.276591] RIP: 0033:0x47b7a0)";

const std::vector<std::string> kSysrqFrames = {
    "sysrq_handle_crash", "__handle_sysrq", "write_sysrq_trigger", "proc_reg_write",
    "vfs_write",          "ksys_write",     "do_syscall_64",       "entry_SYSCALL_64_after_hwframe"};

// A NULL dereference in a module on 6.1: BUG line, Oops, RIP in the faulting function.
std::string null_deref(const std::string& addr, const std::string& cpu, const std::string& pid,
                       const std::string& offset) {
  return "BUG: kernel NULL pointer dereference, address: " + addr + R"(
#PF: supervisor read access in kernel mode
#PF: error_code(0x0000) - not-present page
PGD 0 P4D 0
Oops: 0000 [#1] PREEMPT SMP NOPTI
CPU: )" + cpu + " PID: " + pid + R"( Comm: mount Tainted: G           O       6.1.0-50-amd64 #1  Debian 6.1.176-1
RIP: 0010:ext4_fill_super+0x)" + offset + R"(/0x3c0 [ext4]
Code: 48 8b 47 08 48 85 c0 74 0b
RSP: 0018:ffffb1c1c0a3bd48 EFLAGS: 00010246
RAX: 0000000000000000 RBX: ffff9e8f4a6f2000 RCX: 0000000000000000
Call Trace:
 <TASK>
 ? __die+0x23/0x70
 ? page_fault_oops+0x17d/0x4c0
 ? exc_page_fault+0x7f/0x180
 ? asm_exc_page_fault+0x26/0x30
 mount_bdev+0x1b5/0x1f0
 legacy_get_tree+0x2b/0x50
 vfs_get_tree+0x29/0xe0
 path_mount+0x47e/0xad0
 __x64_sys_mount+0x103/0x140
 do_syscall_64+0x58/0xc0
 entry_SYSCALL_64_after_hwframe+0x64/0xce
 </TASK>
Modules linked in: ext4(O) mbcache jbd2
CR2: 0000000000000008
---[ end trace 0000000000000000 ]---
RIP: 0010:ext4_fill_super+0x1a2/0x3c0 [ext4]
Kernel panic - not syncing: Fatal exception)";
}

TEST(CrashSignature, SysrqPanicReasonAndFramesWithoutTheMachinery) {
  auto sig = compute_crash_signature(lines(kSysrq61), std::nullopt, nullptr);
  EXPECT_EQ(sig.reason, "Kernel panic - not syncing: sysrq triggered crash");
  EXPECT_EQ(sig.frames, kSysrqFrames);
  EXPECT_EQ(sig.hash.size(), 16u);
  EXPECT_EQ(sig.symbol, "");
  EXPECT_FALSE(sig.pc);
}

TEST(CrashSignature, SameBugOnAnotherKernelVersionAndBootHashesAlike) {
  auto a = compute_crash_signature(lines(kSysrq61), 0xffffffff8f573a97, nullptr);
  auto b = compute_crash_signature(lines(kSysrq510), 0xffffffffa1234567, nullptr);
  EXPECT_EQ(b.reason, a.reason);  // the console timestamp is dropped
  EXPECT_EQ(b.frames, a.frames);
  EXPECT_EQ(b.hash, a.hash);
  EXPECT_EQ(a.pc, 0xffffffff8f573a97u);
}

TEST(CrashSignature, NullDereferenceKeysOnTheFaultingFunctionAndIgnoresNumbers) {
  auto a = compute_crash_signature(lines(null_deref("0000000000000008", "3", "1234", "1a2")), {}, nullptr);
  EXPECT_EQ(a.reason, "BUG: kernel NULL pointer dereference, address: 0000000000000008");
  std::vector<std::string> want = {"ext4_fill_super", "mount_bdev", "legacy_get_tree",
                                   "vfs_get_tree", "path_mount", "__x64_sys_mount",
                                   "do_syscall_64", "entry_SYSCALL_64_after_hwframe"};
  EXPECT_EQ(a.frames, want);
  // Another machine: another CPU, pid, faulting address and code offset: the same bug.
  auto b = compute_crash_signature(lines(null_deref("0000000000000010", "11", "98765", "1b0")), {}, nullptr);
  EXPECT_EQ(b.hash, a.hash);
  // Another bug (different reason, same path) is another hash.
  auto c = compute_crash_signature(lines(kSysrq61), {}, nullptr);
  EXPECT_NE(c.hash, a.hash);
}

TEST(CrashSignature, GeneralProtectionFaultOn612) {
  const char* gpf = R"(Oops: general protection fault, probably for non-canonical address 0xdead000000000122: 0000 [#1] PREEMPT SMP NOPTI
CPU: 2 UID: 0 PID: 812 Comm: kworker/2:1 Not tainted 6.12.95+deb12-amd64 #1  Debian 6.12.95-1~bpo12+1
Workqueue: events free_work
RIP: 0010:__list_del_entry_valid_or_report+0x1d/0xc0
Call Trace:
 <TASK>
 ? die_addr+0x36/0x90
 ? exc_general_protection+0x1c5/0x430
 ? asm_exc_general_protection+0x26/0x30
 free_pcppages_bulk.constprop.0+0x8f/0x2a0
 drain_pages_zone+0x47/0x60
 process_one_work+0x177/0x330
 worker_thread+0x252/0x390
 kthread+0xd2/0x100
 ret_from_fork+0x34/0x50
 ret_from_fork_asm+0x1a/0x30
 </TASK>)";
  auto sig = compute_crash_signature(lines(gpf), {}, nullptr);
  EXPECT_EQ(sig.reason.rfind("Oops: general protection fault", 0), 0u) << sig.reason;
  EXPECT_EQ(normalize_reason(sig.reason),
            "Oops: general protection fault, probably for non-canonical address N: N");
  std::vector<std::string> want = {"__list_del_entry_valid_or_report", "free_pcppages_bulk",
                                   "drain_pages_zone", "process_one_work", "worker_thread",
                                   "kthread", "ret_from_fork", "ret_from_fork_asm"};
  EXPECT_EQ(sig.frames, want);
}

TEST(CrashSignature, OldStyleTraceWithAddressesAndKernelBug) {
  const char* old = R"(------------[ cut here ]------------
kernel BUG at mm/slub.c:3901!
invalid opcode: 0000 [#1] SMP
CPU: 1 PID: 2048 Comm: insmod Tainted: G           OE   4.4.0-210-generic #242-Ubuntu
RIP: 0010:[<ffffffff811e2b4d>]  [<ffffffff811e2b4d>] kfree+0x13d/0x150
Call Trace:
 [<ffffffffc03d1015>] bad_init+0x15/0x1000 [bad]
 [<ffffffff81002123>] do_one_initcall+0xb3/0x200
 [<ffffffff8118eef3>] ? kmem_cache_alloc_trace+0x183/0x1f0
 [<ffffffff81186b1a>] do_init_module+0x5f/0x1cf
Code: 00 00 48 89 df e8 aa)";
  auto sig = compute_crash_signature(lines(old), {}, nullptr);
  EXPECT_EQ(sig.reason, "kernel BUG at mm/slub.c:3901!");
  std::vector<std::string> want = {"kfree", "bad_init", "do_one_initcall", "do_init_module"};
  EXPECT_EQ(sig.frames, want);
}

TEST(CrashSignature, Arm64PanicTrace) {
  const char* arm = R"(Unable to handle kernel NULL pointer dereference at virtual address 0000000000000000
Internal error: Oops: 0000000096000045 [#1] PREEMPT SMP
pc : sysrq_handle_crash+0x24/0x30
lr : __handle_sysrq+0x98/0x1a0
Call trace:
 sysrq_handle_crash+0x24/0x30
 __handle_sysrq+0x98/0x1a0
 write_sysrq_trigger+0x70/0xa0
Code: d2800001 52800020 b9000001 d65f03c0 (39000022)
---[ end trace 0000000000000000 ]---)";
  auto sig = compute_crash_signature(lines(arm), {}, nullptr);
  EXPECT_EQ(sig.reason, "Unable to handle kernel NULL pointer dereference at virtual address 0000000000000000");
  std::vector<std::string> want = {"sysrq_handle_crash", "__handle_sysrq", "write_sysrq_trigger"};
  EXPECT_EQ(sig.frames, want);
}

TEST(CrashSignature, AnEarlierWarningDoesNotHideThePanic) {
  std::string log = R"(WARNING: CPU: 0 PID: 1 at drivers/gpu/drm/drm_edid.c:2000 drm_edid_block_valid+0x1a/0x40 [drm]
Call Trace:
 drm_get_edid+0x10/0x20 [drm]
---[ end trace 0000000000000000 ]---
)" + std::string(kSysrq61);
  auto sig = compute_crash_signature(lines(log), {}, nullptr);
  EXPECT_EQ(sig.reason, "Kernel panic - not syncing: sysrq triggered crash");
  EXPECT_EQ(sig.frames, kSysrqFrames);
}

TEST(CrashSignature, WarningAloneIsTheReasonAndSkipsTheBugMachinery) {
  const char* warn = R"(WARNING: CPU: 5 PID: 300 at net/core/dev.c:1234 dev_foo+0x99/0xa0
Modules linked in: e1000
RIP: 0010:dev_foo+0x99/0xa0
Call Trace:
 <TASK>
 ? __warn+0x7d/0x130
 ? report_bug+0x18d/0x1c0
 ? handle_bug+0x41/0x70
 netdev_bar+0x10/0x20
 </TASK>
---[ end trace 0000000000000000 ]---)";
  auto sig = compute_crash_signature(lines(warn), {}, nullptr);
  EXPECT_EQ(sig.reason, "WARNING: CPU: 5 PID: 300 at net/core/dev.c:1234 dev_foo+0x99/0xa0");
  EXPECT_EQ(normalize_reason(sig.reason), "WARNING: CPU: N PID: N at net/core/dev.c:N dev_foo+N/N");
  std::vector<std::string> want = {"dev_foo", "netdev_bar"};
  EXPECT_EQ(sig.frames, want);
}

TEST(CrashSignature, NormalizeReasonDropsNumbersNotWords) {
  EXPECT_EQ(normalize_reason("BUG: soft lockup - CPU#1 stuck for 22s! [kworker/1:2:123]"),
            "BUG: soft lockup - CPU#N stuck for Ns! [kworker/N:N:N]");
  EXPECT_EQ(normalize_reason("BUG: unable to handle page fault for address: ffffa1b2c3d4e000"),
            "BUG: unable to handle page fault for address: N");
  EXPECT_EQ(normalize_reason("Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(0,0)"),
            "Kernel panic - not syncing: VFS: Unable to mount root fs on unknown-block(N,N)");
  EXPECT_EQ(normalize_reason("Kernel panic - not syncing: ext4 deadbeef"),
            "Kernel panic - not syncing: ext4 deadbeef");  // words stay, even hex-looking ones
}

TEST(CrashSignature, NothingToKeyOnGivesNoHash) {
  auto sig = compute_crash_signature(lines("usb 1-1: new high-speed USB device\nhello"), std::nullopt, nullptr);
  EXPECT_EQ(sig.reason, "");
  EXPECT_TRUE(sig.frames.empty());
  EXPECT_EQ(sig.hash, "");
  auto none = compute_crash_signature({}, std::nullopt, nullptr);
  EXPECT_EQ(none.hash, "");
}

TEST(CrashSignature, GarbageLogIsBoundedAndFramesCapped) {
  std::vector<std::string> log{"Kernel panic - not syncing: x", "Call Trace:"};
  for (int i = 0; i < 200000; ++i) log.push_back(" f" + std::to_string(i % 50) + "+0x1/0x2");
  auto sig = compute_crash_signature(log, std::nullopt, nullptr);
  EXPECT_EQ(sig.frames.size(), kMaxFrames);
  EXPECT_EQ(sig.frames[0], "f0");
  std::vector<std::string> junk(100000, std::string(300, '\xff'));
  auto j = compute_crash_signature(junk, std::nullopt, nullptr);
  EXPECT_EQ(j.reason, "");
}

}  // namespace
}  // namespace vmcap
