// The capture kernel's command line: the running kernel's (/proc/cmdline), less what must
// not reach a capture kernel, plus what kdump needs, plus the config's own edits; every
// word dropped or added with the rule that did it, for `vmcap arm` to print
// ("dropped hugepages=512 (allocates huge pages at boot ...)"). And the length check
// kexec_file_load makes.
//
// Sources: Linux Documentation/admin-guide/kdump/kdump.rst (append "irqpoll nr_cpus=1
// reset_devices"), arch/x86/kernel/kexec-bzimage64.c (cmdline_len counts the NUL; EINVAL
// when cmdline_len + 30 > cmdline_size: the kernel writes "elfcorehdr=0x<addr> " in front;
// 31 more for "dmcryptkeys=0x<addr> " only when dm-crypt keys are loaded for kdump, which
// vmcap does not do), kernel/crash_reserve.c (the last crashkernel= wins);
// Fedora kdump-utils (gen-kdump-sysconfig.sh KDUMP_COMMANDLINE_REMOVE/APPEND for x86_64)
// and Debian kdump-tools (kdump-config: strips crashkernel hugepages hugepagesz abm,
// appends reset_devices nr_cpus=1 irqpoll usbcore.nousb) as ../shared/reference/arming.md
// lists them. Everything not dropped is kept: console=, earlycon and earlyprintk stay so
// that the capture is seen where the machine's console is, loglevel too.
//
// The rules (capture_cmdline_rules(), in this order):
//   drop crashkernel            the capture kernel has only the reservation and must not set part
//                               of it aside again (all three sources)
//   drop hugepages hugepagesz default_hugepagesz
//                               huge pages allocated at boot would take the memory the capture
//                               needs, or fail (Fedora, Debian)
//   drop hugetlb_cma cma        CMA areas reserved at boot out of the reservation (Fedora)
//   drop panic_on_warn          a WARN, common over devices the crashed kernel left running,
//                               would panic the capture kernel before the dump is saved (Fedora)
//   drop slub_debug slab_debug  debug red zones and tracking make every allocation bigger (Fedora)
//   drop log_buf_len            a big log buffer (16M is common) is allocated at boot from the
//                               reservation; the capture kernel's own log is short (Fedora)
//   drop swiotlb                sizes a bounce buffer reserved at boot (Fedora)
//   drop kfence.sample_interval turns KFENCE on: a 2 MiB pool and metadata at boot (Fedora sets
//                               0; Debian's default is already 0, so dropping is enough)
//   drop quiet rhgb splash      the capture kernel's own messages (an OOM kill, a failing driver)
//                               explain a failed capture on the console; a splash hides it (Fedora
//                               drops quiet)
//   drop root rootflags rootfstype rootwait rootdelay
//                               vmcap's image is the capture's /init and mounts no root; a dracut
//                               image with 99vmcap captures before the root is mounted (Fedora)
//   drop resume resume_offset   a capture kernel must not look for or resume a hibernation image
//   drop rd.*                   dracut's root options (rd.lvm.lv, rd.luks.uuid, rd.md.uuid, ...):
//                               a dracut image would assemble the root's storage and ask for
//                               passphrases; vmcap's /init reads none (Fedora drops four of them)
//   drop netroot nfsroot fcoe iscsi_*
//                               network roots: the capture mounts no root (Fedora)
//   drop ip                     the root's network set-up (kernel autoconfiguration, dracut):
//                               vmcap brings the capture's network up from [network]
//   drop init rdinit            another program would run instead of the capture image's /init
//   drop initrd initrdmem       the running system's initramfs; kexec_file_load passes the
//                               capture's own
//   drop BOOT_IMAGE             the running kernel's file, set by GRUB: only length
//   drop memmap                 edits the memory map: it could hand the capture kernel memory
//                               outside the reservation, which is the dump
//   drop mem                    caps usable memory at an address: a reservation above it would
//                               leave the capture kernel none
//   drop -- and every word after it: the running system's init arguments
//   drop a word with an unclosed quote: the kernel would take every added word into it
//   add irqpoll                 the crashed kernel left interrupts routed and devices mid-work:
//                               poll for interrupts no handler claimed instead of hanging (kernel
//                               docs, Fedora, Debian)
//   add nr_cpus=1               one CPU: the per-CPU memory of one, and no bringing up CPUs the
//                               crash stopped mid-work (kernel docs, Fedora, Debian)
//   add reset_devices           drivers that honor it reset their device instead of trusting the
//                               state the crashed kernel left (kernel docs, Fedora, Debian)
//   add panic=10                a capture kernel that panics itself (out of memory before /init,
//                               a driver oops) reboots after 10 s instead of hanging (Fedora)
//   add cgroup_disable=memory   the memory controller's bookkeeping costs memory; the capture
//                               uses no cgroups (Fedora)
//   add transparent_hugepage=never
//                               Debian's kernels default to "always"
//                               (CONFIG_TRANSPARENT_HUGEPAGE_ALWAYS): vmcap's buffers would take
//                               2 MiB pages in a reservation of ~100 MiB (Fedora)
//   add acpi_no_memhotplug      ACPI memory devices describe the crashed kernel's RAM: hot-adding
//                               it would hand the capture kernel memory that holds the dump (Fedora)
//   add novmcoredd              drivers that add their device's dump to /proc/vmcore (cxgb4: tens
//                               of MiB) would allocate it in the capture kernel (Fedora)
//   add numa=off                one CPU, one reservation: NUMA's per-node structures cost memory
//                               and help nothing (Fedora)
//   add usbcore.nousb           a network capture needs no USB: less memory and boot time, and
//                               controllers the crash left mid-transfer stay untouched (Debian).
//                               Not added when a console= is on USB (ttyUSB, ttyACM); remove it
//                               with the config when the capture's NIC or disk is on USB
//                               (CaptureNic::on_usb says so)
//   add cma=0                   no CMA area: Debian's arm64 kernels set 64 MiB aside at boot
//                               (CONFIG_CMA_SIZE_MBYTES; seen in the capture kernel: "cma: Reserved
//                               64 MiB", a third of crashkernel=192M) that the kernel's own
//                               allocations cannot use (Fedora, x86_64 and aarch64); amd64's
//                               reserve none, where it changes nothing
//   add initcall_blacklist=tracer_init_tracefs
//                               kernels before 6.6 (no eventfs) make a tracefs dentry and inode
//                               for every file of every trace event at boot, pinned: seen on
//                               Debian's 6.1 in 96 MiB, 8.6 MiB of slab (inode_cache 6.3 MiB,
//                               dentry 1.9 MiB), a fifth of what the capture kernel has, and
//                               the initramfs unpack ran out of memory beside it. The capture
//                               traces nothing. On 6.6 and later it only skips tracefs's files.
//                               The kernel adds every initcall_blacklist= word's names to one
//                               list, so a running initcall_blacklist= stays beside this one
// Not taken from Fedora: mce=off (it turns a machine check into a silent reset), nokaslr,
// hest_disable, udev.children-max (vmcap's /init runs no udev), disable_cpu_apicid (with
// nr_cpus=1 no other CPU starts), hugetlb_cma=0 (0 is the default: dropping the word is
// enough), swiotlb=noforce (aarch64: the capture kernel's bounce buffer is 1 MiB, seen on
// Debian's arm64 6.12; no device needing one would work), "1" (for SysV init).
//
// A running word with the name of an added word is replaced by it (panic=-1 by panic=10),
// except where the kernel takes every word of that name (initcall_blacklist): there the
// running word stays, beside the addition or the config's append that replaced it, unless
// it is the addition itself.
// The config's edits: `remove` names (or "prefix*") are dropped from the running line and
// from the additions; `append` words go last, are never dropped, and replace an addition
// of the same name (nr_cpus=2 replaces nr_cpus=1).
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "elf/result.h"

namespace vmcap::arm {

enum class RuleAction { Drop, Add };

struct CmdlineRule {
  RuleAction action;
  // Drop: parameter names separated by spaces, '-' and '_' alike; "name*" matches a prefix.
  // Add: the word.
  std::string_view pattern;
  std::string_view reason;
  // Add: the kernel takes every word of this name, so a running one stays beside it.
  bool kernel_takes_every_word = false;
};

// The table above, in the order the rules apply.
std::span<const CmdlineRule> capture_cmdline_rules();

struct CmdlineEdits {
  std::vector<std::string> append;  // words added last, never dropped
  std::vector<std::string> remove;  // parameter names, or "prefix*"
};

struct CmdlineChange {
  enum class Kind { Dropped, Added };
  Kind kind;
  std::string word;
  std::string reason;
};

struct CaptureCmdline {
  std::vector<std::string> words;      // the running line's kept words, the additions, the appends
  std::vector<CmdlineChange> changes;  // every word dropped or added, in order
  std::string line() const;            // words joined by spaces
  size_t cmdline_len() const;          // line() and its NUL: kexec_file_load's cmdline_len
};

// The capture command line from the running one (/proc/cmdline text). Fails (ErrorKind::Usage)
// on a config edit that is not one word: an append that the kernel would split or that has
// an unclosed quote, a remove that is empty or holds '=', a quote or whitespace.
Result<CaptureCmdline> build_capture_cmdline(std::string_view running, const CmdlineEdits& edits);

// Bytes the kernel writes in front of a crash kernel's line: "elfcorehdr=0x<64-bit> ".
inline constexpr size_t kElfcorehdrBytes = 30;

// Ok when kexec_file_load takes a line of cmdline_len bytes (NUL included) for an image
// whose setup header says cmdline_size: cmdline_len + 30 <= cmdline_size. Otherwise an
// ErrorKind::Limit error naming both numbers.
Result<void> check_cmdline_fits(size_t cmdline_len, uint32_t cmdline_size);

}  // namespace vmcap::arm
