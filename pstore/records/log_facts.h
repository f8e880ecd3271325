// What a dump's text says about the crash: the kernel release and the panic line. The text
// is the end of the log only, so either may be missing.
//
// Sources (Linux): init/version.c linux_banner ("Linux version %s (...)": the release
// first), lib/dump_stack.c dump_stack_print_info ("CPU: %d PID: %d Comm: %.20s %s%s %s %.*s":
// optional "Kdump: loaded ", print_tainted() = "Not tainted" or "Tainted: " and flag
// letters, the release, the first word of the version, which starts with '#'; 6.10+ adds
// "UID: %u " before PID), kernel/panic.c ("Kernel panic - not syncing: %s", and the last line
// "---[ end Kernel panic - not syncing: %s ]---").
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vmcap::pstore {

enum class ReleaseSource { LinuxVersionLine, OopsCpuLine };

struct LogFacts {
  std::optional<std::string> kernel_release;  // "6.1.0-18-amd64"
  std::optional<ReleaseSource> release_from;  // set with kernel_release
  // The panic message without the line's prefix: "Kernel panic - not syncing: sysrq
  // triggered crash". From the end marker when the panic line itself is not in the text.
  std::optional<std::string> panic_line;
};

// Lines longer than this are skipped: the kernel's are under 1024 bytes.
inline constexpr size_t kMaxFactLineBytes = 4096;

// Reads a dump's reassembled text. A "Linux version" line wins over an oops's CPU line
// (both give the same release; the banner is the kernel's own); the first panic line wins.
LogFacts read_log_facts(std::string_view text);

}  // namespace vmcap::pstore
