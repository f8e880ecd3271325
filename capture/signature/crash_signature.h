// A crash's signature for the capture manifest (issue 5, section 2): what went wrong (the
// first panic / BUG / Oops line), where (the crashing CPU's pc and its kallsyms symbol),
// the call trace the kernel printed, and a hash that is the same for the same bug on
// another machine or boot, so a collection server can group reports.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "capture/kernel/kallsyms.h"

namespace vmcap {

struct CrashSignature {
  // The first line of the log that says the kernel crashed ("Kernel panic - not syncing:",
  // "BUG:", "kernel BUG at", "Oops:", "general protection fault", "Unable to handle kernel"),
  // else the first "WARNING:" line; "" when the log has none.
  std::string reason;
  std::optional<uint64_t> pc;  // the crashing CPU's program counter
  std::string symbol;          // "sysrq_handle_crash+0x16/0x20" via kallsyms, or ""
  // Function names (no offsets, no ".cold"/".constprop.0" suffixes, no module) of the first
  // call trace after the reason, up to kMaxFrames: the faulting function from a kernel-mode
  // "RIP: 0010:"/"pc :" line first when there is one, unreliable "? " frames and the
  // reporting machinery at the top (dump_stack, panic, __warn, exc_page_fault, ...) left out.
  std::vector<std::string> frames;
  // sha256 (first 16 hex chars) of the normalized reason (numbers, addresses, CPU and pid
  // numbers, the Oops flags after "[#") and the frames. "" when there is nothing to key on.
  std::string hash;
  // What could not be read while computing it (no kallsyms, log undecodable), one line each.
  std::vector<std::string> warnings;
};

inline constexpr size_t kMaxFrames = 8;

// log_lines: the log records' texts in order, without timestamps (a leading "[  1.23]" is
// tolerated and dropped). kallsyms may be null.
CrashSignature compute_crash_signature(const std::vector<std::string>& log_lines,
                                       std::optional<uint64_t> pc, const Kallsyms* kallsyms);

// The reason line with every number replaced by "N" and the Oops flags dropped: what the
// hash keys on. Exposed for tests.
std::string normalize_reason(const std::string& reason);

}  // namespace vmcap
