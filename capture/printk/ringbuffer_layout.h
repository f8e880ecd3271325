// Where every field of the 5.10+ lockless printk ringbuffer sits, all taken from VMCOREINFO
// (struct sizes differ between kernels: 5.10's prb_desc_ring is 40 bytes, 6.1's 48).
// Only facility and flags/level have no key of their own: they are the two bytes after
// printk_info.text_len (u8 facility; u8 flags:5, level:3 — on little-endian GCC the first
// bitfield takes the low bits, so flags = byte & 0x1f and level = byte >> 5).
// The crashed machine is taken to be 64-bit little-endian (x86_64, arm64).
#pragma once

#include <cstdint>
#include <optional>

#include "capture/kernel/vmcoreinfo.h"
#include "elf/result.h"

namespace vmcap {

struct RingbufferLayout {
  uint64_t prb_symbol = 0;  // SYMBOL(prb): the address of the `prb` pointer variable

  uint64_t ringbuffer_size = 0;        // bytes of struct printk_ringbuffer to read
  uint64_t desc_ring = 0;              // OFFSET(printk_ringbuffer.desc_ring)
  uint64_t text_data_ring = 0;         // OFFSET(printk_ringbuffer.text_data_ring)
  std::optional<uint64_t> fail;        // OFFSET(printk_ringbuffer.fail)

  uint64_t count_bits = 0, descs = 0, infos = 0, head_id = 0, tail_id = 0;  // prb_desc_ring
  uint64_t atomic_counter = 0;  // OFFSET(atomic_long_t.counter), 0 when not exported

  uint64_t desc_size = 0;      // SIZE(prb_desc)
  uint64_t state_var = 0;      // OFFSET(prb_desc.state_var)
  uint64_t text_blk_lpos = 0;  // OFFSET(prb_desc.text_blk_lpos)
  uint64_t lpos_begin = 0, lpos_next = 0;  // OFFSET(prb_data_blk_lpos.begin|next)

  uint64_t size_bits = 0, data = 0;  // OFFSET(prb_data_ring.size_bits|data)

  uint64_t info_size = 0;  // SIZE(printk_info)
  uint64_t seq = 0, ts_nsec = 0, text_len = 0, caller_id = 0, dev_info = 0;
  uint64_t subsystem = 0, device = 0;             // within dev_printk_info
  uint64_t subsystem_len = 16, device_len = 48;   // LENGTH(printk_info_subsystem|device)

  // Fails (Missing) naming the first absent key, or (Format) when the offsets contradict
  // the sizes (a field outside its struct, structs larger than kMaxStructSize).
  static Result<RingbufferLayout> from_vmcoreinfo(const VmcoreInfo& info);

  static constexpr uint64_t kMaxStructSize = 4096;
};

}  // namespace vmcap
