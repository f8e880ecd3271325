// A pstore dump's text as kernel log records, for the same dmesg.txt and dmesg.json a vmcore
// capture has. Each line the kmsg dumper wrote is "<PRI>[%5lu.%06lu][caller] message"
// (kernel/printk/printk.c info_print_prefix: the time with printk.time, the caller id with
// CONFIG_PRINTK_CALLER); PRI is facility * 8 + level. What the text cannot give: sequence
// numbers, record flags, the device and subsystem dictionary, and which lines were one
// multi-line record (each line is a record of its own here).
#pragma once

#include <string_view>
#include <vector>

#include "capture/printk/log_record.h"

namespace vmcap::pstore {

// A line longer than this is split there into records of at most this many bytes (the
// kernel's lines are under 1024 bytes).
inline constexpr size_t kMaxPstoreLineBytes = 8192;
// At most this many records from one text; the rest of the text is one last record.
inline constexpr size_t kMaxPstoreRecords = 1u << 20;

struct PstoreLog {
  std::vector<LogRecord> records;
  size_t unprefixed_lines = 0;  // lines without "<PRI>" (a part cut mid-line): level unknown
  size_t split_lines = 0;       // lines longer than kMaxPstoreLineBytes, split into several records
};

// Never fails: a line that does not parse is a record with its text as it is.
PstoreLog records_from_pstore_text(std::string_view text);

}  // namespace vmcap::pstore
