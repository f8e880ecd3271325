// Reading the running machine's small text files (/proc, /sys, /etc) under a root folder,
// "/" on the machine and a tree made in the test otherwise. /proc and sysfs report no
// sizes, so every read stops at a limit the caller chooses and says when it cut.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "arm/machine/fact.h"
#include "elf/result.h"

namespace vmcap::arm {

// ROOT + ABS_PATH: "/" + "/sys/x" is "/sys/x", "/tmp/t" + "/sys/x" is "/tmp/t/sys/x".
std::string under_root(const std::string& root, std::string_view abs_path);

struct FileText {
  std::string text;  // at most the limit's bytes
  bool cut = false;  // the file goes on past the limit
};

// The first max_bytes of ROOT/ABS_PATH. Absent: ErrorKind::Missing; not a regular file or
// unreadable: ErrorKind::Io. Errors name the path as given (ABS_PATH), not the root's.
Result<FileText> read_machine_file(const std::string& root, std::string_view abs_path,
                                   size_t max_bytes);

// An error reading ABS_PATH as a fact's reason: "PATH absent: ABSENT_MEANS" when the file is
// not there (what its absence says about the kernel), else the error's message.
std::string absent_or_message(const Error& e, std::string_view abs_path, std::string_view absent_means);

// A sysfs or sysctl file that holds 0 or 1 ("1\n"): known, or unknown with why.
Fact<bool> read_flag_file(const std::string& root, std::string_view abs_path, std::string_view absent_means);

// The text without leading and trailing spaces, tabs and newlines.
std::string_view trim(std::string_view s);

// A whole decimal number (surrounding whitespace allowed): sysfs' "100663296\n".
std::optional<uint64_t> parse_decimal(std::string_view s);
// A signed one: sysctls such as kexec_load_limit_panic ("-1").
std::optional<int64_t> parse_signed_decimal(std::string_view s);

}  // namespace vmcap::arm
