// Where and how to set crashkernel= on a GRUB machine (Debian, Ubuntu): the file vmcap
// suggests, its line, the command that applies it, and the other crashkernel= settings
// that would fight it.
//
// Sources: GRUB's grub-mkconfig (sources /etc/default/grub, then /etc/default/grub.d/*.cfg
// in name order) and 10_linux (a normal entry's line is GRUB_CMDLINE_LINUX then
// GRUB_CMDLINE_LINUX_DEFAULT; recovery entries take GRUB_CMDLINE_LINUX only, so the
// reservation is there too); Linux kernel/crash_reserve.c (get_last_crashkernel: the last
// crashkernel= of the line wins); Debian kdump-tools (/etc/default/grub.d/kdump-tools.cfg
// adds crashkernel=384M-:128M to GRUB_CMDLINE_LINUX_DEFAULT, which would win over ours).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace vmcap::arm {

inline constexpr const char* kGrubSnippet = "/etc/default/grub.d/vmcap.cfg";

struct CrashkernelConflict {
  std::string where;  // "/etc/default/grub.d/kdump-tools.cfg:1"
  std::string line;   // the line as written (at most 200 bytes)
  bool wins = false;  // it comes after ours on the kernel's line: the reservation would be its
};

struct CrashkernelAdvice {
  std::string parameter;  // "crashkernel=144M"
  std::string file;       // kGrubSnippet
  std::string content;    // GRUB_CMDLINE_LINUX="$GRUB_CMDLINE_LINUX crashkernel=144M"
  std::string command;    // "update-grub", then reboot
  std::vector<CrashkernelConflict> conflicts;  // other crashkernel= settings under ROOT
};

// The advice for a reservation of `bytes` (rounded up to whole MiB), with the crashkernel=
// lines of ROOT/etc/default/grub and ROOT/etc/default/grub.d/*.cfg (at most 64 files,
// 64 KiB each; comments skipped) other than vmcap's own.
CrashkernelAdvice crashkernel_advice(uint64_t bytes, const std::string& root = "/");

}  // namespace vmcap::arm
