// One line of a dmesg record's text, as kmsg_dump_get_buffer writes it with syslog on
// (kernel/printk/printk.c info_print_prefix): "<PRI>", then "[%5lu.%06lu]" when printk.time
// is on, then "[%6s]" caller id with CONFIG_PRINTK_CALLER, then one space when either of
// the last two is there; the message follows. A multi-line message repeats the prefix on
// every line.
#pragma once

#include <string_view>

namespace vmcap::pstore {

// True when the line starts with the "<PRI>" every dumped line starts with (false for a
// part whose text was cut mid-line).
bool starts_with_printk_prefix(std::string_view line);

// The message of one line without its "<PRI>[time][caller] " prefix. A line without a
// "<PRI>" is returned as it is; so is any part of the prefix that does not parse.
std::string_view printk_line_message(std::string_view line);

}  // namespace vmcap::pstore
