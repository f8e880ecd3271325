// Kernel log, generation 3 (before Linux 3.5): one ring of characters.
//
// The kernel writes every character at log_buf[log_end & (log_buf_len - 1)] and increments
// log_end, which is never reduced modulo the length. The text kept is the
// min(log_end, log_buf_len) characters that end at log_end. Each line the kernel wrote
// starts with "<N>" (N = level 0..7, inserted by printk when the caller gave none) and, with
// CONFIG_PRINTK_TIME, "[%5lu.%06lu] " follows it: the timestamp is part of the text.
//
// VMCOREINFO keys: SYMBOL(log_buf) (a char * variable), SYMBOL(log_buf_len) (int),
// SYMBOL(log_end). log_end was `unsigned long` up to 2.6.24 and `unsigned` from 2.6.25;
// VMCOREINFO (itself new in 2.6.24) gives no type sizes, so the width is chosen from
// OSRELEASE: 2.6.24 and older read 8 bytes, anything else (or no OSRELEASE) 4 bytes. On a
// little-endian machine the low 4 bytes of the 8-byte variable are its value below 2^32,
// so the choice matters once 4 GiB of text have been logged or when the variable next to
// a 4-byte log_end is not zero. (vmcore-dmesg always reads 4 bytes.)
//
// Records: one per line. text is the line without its "<N>" prefix and without the
// newline (the timestamp stays in the text, exactly as stored); level and facility come
// from the prefix and level_known says whether there was one (a line continued without a
// prefix, or the oldest line when the ring has overwritten its start, has none). ts_nsec is
// parsed from a leading "[ sec.usec]" when present, else 0. flags has LOG_NEWLINE (2) when
// the line ended with a newline in the ring: only the newest line can lack it. Bytes are
// kept as they are (NUL included). Use char_ring_line() to get the line back as the kernel
// stored it, which is what vmcore-dmesg prints for these kernels.
//
// Assumptions: 64-bit little-endian crashed machine, like the generation-2 decoder.
#pragma once

#include <cstdint>
#include <string>

#include "capture/kernel/vmcoreinfo.h"
#include "capture/printk/log_record.h"
#include "capture/translate/virtual_memory.h"
#include "elf/result.h"

namespace vmcap {

// Width in bytes of the log_end variable for the kernel VMCOREINFO describes (see above).
unsigned char_ring_log_end_width(const VmcoreInfo& info);

struct CharRingOptions {
  // At most this many warnings about individual lines (lost to a page the dump lacks); the
  // rest are summed up in one last warning, as the other two decoders do, since the
  // capture run keeps every warning in memory. Warnings about the ring as a whole are not
  // counted.
  uint64_t max_record_warnings = 100;
};

// Decodes the ring into `sink`, oldest line first. Errors only when nothing can be decoded:
// missing keys, unreadable variables, log_buf_len <= 0 or above kMaxPrintkLogBufLen
// (printk_log_decoder.h), or no readable byte of the buffer.
Result<void> decode_char_ring(const VmcoreInfo& info, const VirtualMemory& memory,
                              LogSink& sink, const CharRingOptions& options);
// The same with default options (an overload, so that it stays a three-argument decoder).
Result<void> decode_char_ring(const VmcoreInfo& info, const VirtualMemory& memory,
                              LogSink& sink);

// The line as the ring held it: "<N>" when level_known, then text, then "\n" when
// flags has LOG_NEWLINE. Concatenating these for every record gives vmcore-dmesg's output.
std::string char_ring_line(const LogRecord& r);

}  // namespace vmcap
