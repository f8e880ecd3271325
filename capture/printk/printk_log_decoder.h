// Kernel log, generation 2 (Linux 3.5 to 5.9): variable-length `struct printk_log`
// records (`struct log` before 3.11) in one buffer, from log_first_idx to log_next_idx.
//
// Layout (x86_64, CONFIG_HAVE_EFFICIENT_UNALIGNED_ACCESS: packed, aligned 4):
//   u64 ts_nsec; u16 len; u16 text_len; u16 dict_len; u8 facility; u8 flags:5; u8 level:3;
//   [u32 caller_id  with CONFIG_PRINTK_CALLER, 5.1+]
// then text_len bytes of text, dict_len bytes of dictionary ("KEY=value" entries separated
// by NUL), then padding to LOG_ALIGN (4 with efficient unaligned access, else 8). A header
// whose len is 0, or no room for a header before the end of the buffer, means "wrap to 0".
//
// Every offset comes from VMCOREINFO: SIZE(printk_log) (or SIZE(log)),
// OFFSET(printk_log.ts_nsec|len|text_len) (or log.*), OFFSET(printk_log.dict_len) if
// exported (else text_len + 2), OFFSET(printk_log.caller_id) if exported. facility and the
// flags/level byte are not exported (bitfields): they are the two bytes after dict_len,
// flags in the low 5 bits and level in the high 3 (GCC's little-endian bitfield order).
//
// Assumptions: a 64-bit little-endian crashed machine (pointers are 8 bytes, fields are
// little-endian), which is every machine vmcap reads today.
//
// Corruption: the buffer is read once in bulk (at most kMaxPrintkLogBufLen bytes; pages the
// dump lacks are tracked and the records touching them reported). The walk is bounded by
// log_buf_len / (smallest record) steps and wraps at most once. A record whose header is
// inconsistent (len not a multiple of 4, len not text_len + dict_len + header + padding,
// running past the buffer or past log_next_idx) is reported through LogSink::warning and
// skipped: the decoder resynchronises on the next position from which an unbroken chain of
// consistent records reaches log_next_idx, so every intact record still comes out.
// Warnings about individual records are capped (PrintkLogOptions::max_record_warnings).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capture/kernel/vmcoreinfo.h"
#include "capture/printk/log_record.h"
#include "capture/translate/virtual_memory.h"
#include "elf/result.h"

namespace vmcap {

// Largest log_buf_len the generation-2 and -3 decoders accept (the kernel allows up to
// 2 GiB with log_buf_len=; real systems use 128 KiB to 16 MiB). A larger value is reported
// as ErrorKind::Limit rather than allocated.
inline constexpr uint64_t kMaxPrintkLogBufLen = 32ull << 20;

// Field positions of struct printk_log as VMCOREINFO describes them.
struct PrintkLogLayout {
  uint64_t header_size = 0;   // SIZE(printk_log)
  uint64_t ts_nsec = 0;       // OFFSET(printk_log.ts_nsec)
  uint64_t len = 0;           // OFFSET(printk_log.len)
  uint64_t text_len = 0;      // OFFSET(printk_log.text_len)
  uint64_t dict_len = 0;      // OFFSET(printk_log.dict_len), or text_len + 2
  uint64_t facility = 0;      // dict_len + 2
  uint64_t flags_level = 0;   // dict_len + 3: flags bits 0-4, level bits 5-7
  std::optional<uint64_t> caller_id;  // OFFSET(printk_log.caller_id)
  bool old_name = false;      // the struct was called `log` (3.5 to 3.10)
};

// Reads the layout from VMCOREINFO (printk_log keys first, then the pre-3.11 log keys).
// Missing SIZE/ts_nsec/len/text_len: ErrorKind::Missing; offsets outside the header:
// ErrorKind::Format.
Result<PrintkLogLayout> printk_log_layout(const VmcoreInfo& info);

struct PrintkLogOptions {
  // At most this many warnings about individual records (damaged, resynchronised past, or
  // in a page the dump lacks); the rest are summed up in one last warning. Crafted garbage
  // in a 32 MiB buffer can damage hundreds of thousands of records, and the capture run
  // keeps every warning in memory. Warnings about the buffer as a whole are not counted.
  uint64_t max_record_warnings = 100;
};

// Decodes the whole buffer into `sink`, oldest record first. seq starts at log_first_seq
// when VMCOREINFO exports SYMBOL(log_first_seq) (kernels do not; some distributions do),
// else at 0. Errors only when nothing can be decoded: missing keys, unreadable variables,
// log_buf_len of 0 or above kMaxPrintkLogBufLen.
Result<void> decode_printk_log(const VmcoreInfo& info, const VirtualMemory& memory,
                               LogSink& sink, const PrintkLogOptions& options);
// The same with default options (an overload, not a default argument, so that the
// function still converts to a plain three-argument decoder pointer).
Result<void> decode_printk_log(const VmcoreInfo& info, const VirtualMemory& memory,
                               LogSink& sink);

// Shared by the generation-2 and -3 decoders (not an interface for other callers).
namespace printk_detail {

// A kernel buffer copied out of the dump. Bytes of pages the dump lacks read as zero and
// are marked unreadable.
class BufferImage {
 public:
  // One bulk read; if that fails, page by page (page_size from PAGESIZE, else 4096),
  // recording which pages failed. Never fails itself: a buffer with no readable page
  // comes back with readable_bytes() == 0.
  static BufferImage read(const VirtualMemory& memory, uint64_t vaddr, uint64_t size,
                          uint64_t page_size);

  const std::vector<std::byte>& bytes() const { return bytes_; }
  uint64_t size() const { return bytes_.size(); }
  bool readable(uint64_t offset, uint64_t n) const;
  uint64_t readable_bytes() const;
  // "0x...-0x..." ranges (buffer offsets) that could not be read, for warnings.
  const std::vector<std::pair<uint64_t, uint64_t>>& holes() const { return holes_; }

 private:
  std::vector<std::byte> bytes_;
  std::vector<std::pair<uint64_t, uint64_t>> holes_;  // [begin, end), sorted
};

uint16_t load_u16(const std::byte* p);
uint32_t load_u32(const std::byte* p);
uint64_t load_u64(const std::byte* p);

// Reads a little-endian unsigned integer of `width` bytes (1, 2, 4, 8) at vaddr.
Result<uint64_t> read_uint(const VirtualMemory& memory, uint64_t vaddr, unsigned width);

}  // namespace printk_detail

}  // namespace vmcap
