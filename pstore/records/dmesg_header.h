// The first line of every dmesg part: "%s#%d Part%u\n" (fs/pstore/platform.c pstore_dump):
// why the log was dumped, the boot's dump counter, the part number (Part1 holds the newest
// text). Reasons: kmsg_dump_reason_str (kernel/printk/printk.c, 5.8+) says Panic, Oops,
// Emergency, Shutdown, Unknown; get_reason_str (platform.c, before 5.8) also Restart, Halt,
// Poweroff. Any other word is kept as written.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "elf/result.h"

namespace vmcap::pstore {

enum class DumpReason { Panic, Oops, Emergency, Shutdown, Unknown, Restart, Halt, Poweroff, Other };

// "Panic", "Oops", ...; "Other" for Other (the header's own word is in reason_text).
std::string_view dump_reason_name(DumpReason reason);

struct DmesgHeader {
  DumpReason reason = DumpReason::Other;
  std::string reason_text;  // as written: "Panic", or the unknown word
  int32_t counter = 0;      // the boot's dump counter (%d: the kernel's starts at 1)
  uint32_t part = 0;        // %u: 1 is the newest text
  size_t text_offset = 0;   // where the text after the header line starts in the record
};

// A reason word longer than this is not a header; the kernel's longest is "Emergency".
inline constexpr size_t kMaxReasonBytes = 32;

// Parses the header line at the start of a dmesg record's (inflated) bytes. A record that
// does not start with "WORD#N PartM\n" is an error value that quotes what it starts with.
Result<DmesgHeader> parse_dmesg_header(std::string_view record);

}  // namespace vmcap::pstore
