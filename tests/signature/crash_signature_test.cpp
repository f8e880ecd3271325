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

// sysrq-c on Debian's arm64 kernels, as their kernel logs hold it (read from the real
// 5.10, 6.1 and 6.12 arm64 vmcores of tests/qemu). sysrq_handle_crash does not return, so
// its return address can fall at the start of the next function: 5.10 and 6.1 print
// sysrq_reset_seq_param_set+0x0 where 6.12 prints sysrq_handle_crash+0x20.
const char* kArm64Sysrq510 = R"(sysrq: Trigger a crash
Kernel panic - not syncing: sysrq triggered crash
CPU: 0 PID: 1 Comm: init Kdump: loaded Not tainted 5.10.0-32-arm64 #1 Debian 5.10.223-1
Hardware name: linux,dummy-virt (DT)
Call trace:
 dump_backtrace+0x0/0x200
 show_stack+0x20/0x30
 dump_stack+0xe8/0x124
 panic+0x190/0x380
 sysrq_reset_seq_param_set+0x0/0x9c
 __handle_sysrq+0x90/0x1a0
 write_sysrq_trigger+0x9c/0x100
 proc_reg_write+0xb0/0x10c
 vfs_write+0xf8/0x2d0
 ksys_write+0x70/0x100
 __arm64_sys_write+0x24/0x30
 el0_svc_common.constprop.0+0x80/0x1d0
 do_el0_svc+0x7c/0xa4
 el0_svc+0x20/0x30
 el0_sync_handler+0xb0/0xb4
 el0_sync+0x180/0x1c0
Starting crashdump kernel...
Bye!)";

const char* kArm64Sysrq61 = R"(sysrq: Trigger a crash
Kernel panic - not syncing: sysrq triggered crash
CPU: 0 PID: 1 Comm: init Kdump: loaded Not tainted 6.1.0-50-arm64 #1  Debian 6.1.176-1
Hardware name: linux,dummy-virt (DT)
Call trace:
 dump_backtrace+0xe4/0x140
 show_stack+0x20/0x30
 dump_stack_lvl+0x64/0x80
 dump_stack+0x18/0x34
 panic+0x184/0x364
 sysrq_reset_seq_param_set+0x0/0xa0
 __handle_sysrq+0x90/0x19c
 write_sysrq_trigger+0x7c/0xc0
 proc_reg_write+0xac/0x100
 vfs_write+0xdc/0x3a0
 ksys_write+0x7c/0x11c
 __arm64_sys_write+0x24/0x30
 invoke_syscall+0x68/0xe0
 el0_svc_common.constprop.0+0x4c/0xf4
 do_el0_svc+0x2c/0x9c
 el0_svc+0x34/0xdc
 el0t_64_sync_handler+0xf4/0x120
 el0t_64_sync+0x18c/0x190
Starting crashdump kernel...
Bye!)";

const char* kArm64Sysrq612 = R"([   10.631796] sysrq: Trigger a crash
[   10.632192] Kernel panic - not syncing: sysrq triggered crash
[   10.632650] CPU: 0 UID: 0 PID: 1 Comm: init Kdump: loaded Not tainted 6.12.95+deb12-arm64 #1  Debian 6.12.95-1~bpo12+1
[   10.632935] Hardware name: linux,dummy-virt (DT)
[   10.633114] Call trace:
[   10.633187]  dump_backtrace+0xa0/0x128
[   10.633585]  show_stack+0x20/0x38
[   10.633666]  dump_stack_lvl+0x38/0x90
[   10.633740]  dump_stack+0x18/0x28
[   10.633804]  panic+0x3a0/0x408
[   10.633869]  sysrq_handle_crash+0x20/0x28
[   10.633950]  __handle_sysrq+0xb4/0x1e0
[   10.634023]  write_sysrq_trigger+0xec/0x108
[   10.634102]  proc_reg_write+0xa4/0x100
[   10.634181]  vfs_write+0xdc/0x3b0
[   10.634249]  ksys_write+0x7c/0x120
[   10.634345]  __arm64_sys_write+0x24/0x38
[   10.634461]  invoke_syscall+0x60/0xe0
[   10.634535]  el0_svc_common.constprop.0+0x48/0xf0
[   10.634626]  do_el0_svc+0x24/0x38
[   10.634698]  el0_svc+0xc0/0x150
[   10.634767]  el0t_64_sync_handler+0xc8/0xe0
[   10.634855]  el0t_64_sync+0x190/0x198
[   10.635701] Starting crashdump kernel...
[   10.635854] Bye!)";

TEST(CrashSignature, Arm64SysrqPanicOnDebianKernelsStartsAfterDumpBacktrace) {
  const std::vector<std::string> want61 = {
      "sysrq_reset_seq_param_set", "__handle_sysrq", "write_sysrq_trigger", "proc_reg_write",
      "vfs_write", "ksys_write", "__arm64_sys_write", "invoke_syscall"};
  auto s61 = compute_crash_signature(lines(kArm64Sysrq61), std::nullopt, nullptr);
  EXPECT_EQ(s61.reason, "Kernel panic - not syncing: sysrq triggered crash");
  EXPECT_EQ(s61.frames, want61);
  // 5.10: no dump_stack_lvl, no invoke_syscall, the pre-5.11 el0 entry names.
  const std::vector<std::string> want510 = {
      "sysrq_reset_seq_param_set", "__handle_sysrq", "write_sysrq_trigger", "proc_reg_write",
      "vfs_write", "ksys_write", "__arm64_sys_write", "el0_svc_common"};
  auto s510 = compute_crash_signature(lines(kArm64Sysrq510), std::nullopt, nullptr);
  EXPECT_EQ(s510.frames, want510);
  // 6.12 (console timestamps tolerated).
  auto s612 = compute_crash_signature(lines(kArm64Sysrq612), std::nullopt, nullptr);
  EXPECT_EQ(s612.reason, s61.reason);
  ASSERT_FALSE(s612.frames.empty());
  EXPECT_EQ(s612.frames[0], "sysrq_handle_crash");
  EXPECT_EQ(s612.frames[1], "__handle_sysrq");
  // The reason is the same on x86_64 and arm64, the frames are not: another hash.
  EXPECT_NE(s61.hash, compute_crash_signature(lines(kSysrq61), std::nullopt, nullptr).hash);
}

// An arm64 Oops from a module on 6.12: "pc :" names the faulting function, the trace starts
// there and repeats it; frames carry " [module]" and, since 6.13, unwinder marks " (P)"
// (from pt_regs pc) and " (L)" (from the link register).
TEST(CrashSignature, Arm64OopsInAModuleWithUnwindMarks) {
  const char* oops = R"(Unable to handle kernel NULL pointer dereference at virtual address 0000000000000010
Mem abort info:
  ESR = 0x0000000096000006
  EC = 0x25: DABT (current EL), IL = 32 bits
  SET = 0, FnV = 0
  EA = 0, S1PTW = 0
  FSC = 0x06: level 2 translation fault
Data abort info:
  ISV = 0, ISS = 0x00000006, ISS2 = 0x00000000
user pgtable: 4k pages, 52-bit VAs, pgdp=0000000041b5e000
[0000000000000010] pgd=0800000041b61003, p4d=0800000041b62003, pud=0000000000000000
Internal error: Oops: 0000000096000006 [#1] SMP
Modules linked in: vmcap_crashme(OE) virtio_blk qemu_fw_cfg
CPU: 1 UID: 0 PID: 231 Comm: insmod Tainted: G           OE      6.14.0-arm64 #1
Hardware name: linux,dummy-virt (DT)
pstate: 63400005 (nZCv daif +PAN -UAO +TCO +DIT -SSBS BTYPE=--)
pc : crashme_init+0x10/0x1000 [vmcap_crashme]
lr : do_one_initcall+0x60/0x2a0
sp : ffff80008263ba60
x29: ffff80008263ba60 x28: 0000000000000000 x27: 0000000000000000
x2 : 0000000000000000 x1 : 0000000000000000 x0 : 0000000000000000
Call trace:
 crashme_init+0x10/0x1000 [vmcap_crashme 4f0e3c2a] (P)
 do_one_initcall+0x60/0x2a0 (L)
 do_init_module+0x60/0x240
 load_module+0x1d18/0x1f80
 init_module_from_file+0x8c/0xd8
 __arm64_sys_finit_module+0x158/0x318
 invoke_syscall+0x50/0x120
 el0_svc_common.constprop.0+0x48/0xf0
 do_el0_svc+0x24/0x38
 el0_svc+0x30/0xd0
Code: d503233f a9bf7bfd 910003fd d2800000 (f9400800)
---[ end trace 0000000000000000 ]---
Kernel panic - not syncing: Oops: Fatal exception)";
  auto sig = compute_crash_signature(lines(oops), std::nullopt, nullptr);
  EXPECT_EQ(sig.reason,
            "Unable to handle kernel NULL pointer dereference at virtual address 0000000000000010");
  const std::vector<std::string> want = {"crashme_init", "do_one_initcall", "do_init_module",
                                         "load_module", "init_module_from_file",
                                         "__arm64_sys_finit_module", "invoke_syscall",
                                         "el0_svc_common"};
  EXPECT_EQ(sig.frames, want);
  // The Oops count, ESR and address vary from machine to machine: the same hash.
  std::string other = oops;
  for (auto [from, to] : {std::pair<std::string, std::string>{"0000000000000010", "0000000000000018"},
                          {"[#1]", "[#2]"}, {"PID: 231", "PID: 4242"}, {"0x10/0x1000", "0x14/0x1000"}})
    for (size_t at; (at = other.find(from)) != std::string::npos;) other.replace(at, from.size(), to);
  EXPECT_EQ(compute_crash_signature(lines(other), std::nullopt, nullptr).hash, sig.hash);
}

// A panic in a fault handler, printed without pt_regs: the trace starts in the reporting
// machinery and the arm64 fault path (el1h_64_sync, do_mem_abort, ...) before the culprit.
TEST(CrashSignature, Arm64FaultPathAboveTheCulpritIsMachinery) {
  const char* log = R"(Kernel panic - not syncing: kernel fault in atomic context
Call trace:
 show_stack+0x18/0x24 (C)
 dump_stack_lvl+0x60/0x80
 dump_stack+0x18/0x24
 panic+0x168/0x360
 die_kernel_fault+0x1c4/0x1d0
 __do_kernel_fault+0x1d4/0x1e0
 do_page_fault+0x84/0x5a0
 do_translation_fault+0x60/0x7c
 do_mem_abort+0x48/0xa0
 el1_abort+0x3c/0x5c
 el1h_64_sync_handler+0xd0/0xe4
 el1h_64_sync+0x64/0x68
 buggy_function+0x28/0x40
 caller_function+0x30/0x60)";
  auto sig = compute_crash_signature(lines(log), std::nullopt, nullptr);
  const std::vector<std::string> want = {"buggy_function", "caller_function"};
  EXPECT_EQ(sig.frames, want);
}

// arm64 before 4.15 (and 32-bit arm) named the faulting function "PC is at".
TEST(CrashSignature, OldArm64PcIsAtLine) {
  const char* log = R"(Unable to handle kernel paging request at virtual address dead000000000100
Internal error: Oops: 96000044 [#1] PREEMPT SMP
PC is at list_del_entry+0x1c/0x40
LR is at release_thing+0x30/0x80
Call trace:
[<ffff000008123456>] list_del_entry+0x1c/0x40
[<ffff000008654321>] release_thing+0x30/0x80
[<ffff0000080abcde>] process_one_work+0x1e0/0x3a0)";
  auto sig = compute_crash_signature(lines(log), std::nullopt, nullptr);
  const std::vector<std::string> want = {"list_del_entry", "release_thing", "process_one_work"};
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
