// The 5.10+ lockless printk_ringbuffer (kernel/printk/printk_ringbuffer.c), read from a
// crashed kernel's memory.
//
// SYMBOL(prb) holds a pointer to struct printk_ringbuffer: a descriptor ring (descs[] and
// infos[], 2^count_bits each, indexed by id or seq modulo the count) and a text data ring
// (2^size_bits bytes). Records are walked from tail_id to head_id (both included), ids
// counting up modulo 2^62. A record comes out when its descriptor holds that id in state
// committed (1) or finalized (2) (reusable ones are descriptors the kernel freed when the
// data ring overwrote their text: they pass silently), its seq is congruent to its index, it keeps seq order,
// and its data block is sound (aligned, inside one wrap or wrapped to the ring start, led
// by an unsigned long equal to the id). text_len is clamped to the block. Data-less
// records: begin == next == 0x3 (NO_LPOS in 5.10, EMPTY_LINE_LPOS in 6.x) is an empty
// line; any other odd lpos (FAILED_LPOS 0x1) means the text was never stored: the record
// comes out with empty text and a warning, as vmcore-dmesg prints it.
//
// Garbage: when tail_id/head_id are implausible (more than the ring apart, or their
// descriptors hold other ids), every descriptor is scanned instead and the sound records
// come out sorted by seq. All loops are bounded by the ring's declared sizes.
//
// Memory: the three arrays are read through 64 KiB windows (RegionReader), so decoding
// holds about 200 KiB whatever the ring size; the scan fallback also keeps 16 bytes per
// sound descriptor it finds (a default 128 KiB ring has 4096 descriptors: 64 KiB).
#pragma once

#include <cstdint>

#include "capture/kernel/vmcoreinfo.h"
#include "capture/printk/log_record.h"
#include "capture/printk/ringbuffer_layout.h"
#include "capture/translate/virtual_memory.h"
#include "elf/result.h"

namespace vmcap {

struct RingbufferStats {
  uint64_t records = 0;          // records sent to the sink
  uint64_t skipped = 0;          // descriptors in the walk that gave no record
  uint64_t missing_seqs = 0;     // seq numbers absent between records, not explained by
                                 // freed descriptors (each reported in a warning)
  uint64_t overwritten = 0;      // seq numbers the kernel itself had freed mid-ring
  bool scanned = false;          // head/tail were garbage: all descriptors were scanned
  uint64_t descriptor_count = 0;
  uint64_t data_size = 0;
  uint64_t descriptor_reads = 0;  // descriptors read one by one (the work done: a hole
                                  // is skipped a page at a time)
};

struct RingbufferOptions {
  // At most this many per-record warnings; the rest are summed up in one last warning.
  uint64_t max_record_warnings = 100;
  size_t window_bytes = 64 * 1024;
};

// The kernel's own bounds: log_buf_len <= LOG_BUF_LEN_MAX (2 GiB), and one descriptor per
// 32 bytes of text (count_bits = size_bits - PRB_AVGBITS). Beyond them a ring is garbage.
inline constexpr uint64_t kMaxSizeBits = 31;
inline constexpr uint64_t kMaxCountBits = 26;

Result<RingbufferStats> decode_ringbuffer(const VmcoreInfo& info, const VirtualMemory& memory,
                                          LogSink& sink, const RingbufferOptions& options = {});

// The same with a layout already taken from VMCOREINFO.
Result<RingbufferStats> decode_ringbuffer(const RingbufferLayout& layout,
                                          const VirtualMemory& memory, LogSink& sink,
                                          const RingbufferOptions& options = {});

}  // namespace vmcap
