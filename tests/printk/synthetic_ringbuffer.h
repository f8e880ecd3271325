// Builds a 5.10+ printk_ringbuffer in test memory the way the kernel's
// printk_ringbuffer.c does: the static bootstrap (descriptor count-1 holding DESC0_ID,
// infos[0].seq = -count), desc_reserve (push the descriptor tail when full, seq = previous
// + count, finalize the previous record), data_alloc (blocks aligned to 8, led by the id,
// wrapping blocks stored at the ring start with the id at both places, the data tail pushed
// by making the oldest descriptors reusable). Every struct offset comes from a
// PrbOffsets, which also writes the matching VMCOREINFO lines, so tests can check the
// decoder against 5.10's layout, 6.1's, and a deliberately odd one.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "capture/printk/log_record.h"
#include "tests/translate/paged_physical_memory.h"

namespace vmcap::testing {

struct PrbOffsets {
  uint64_t rb_size, desc_ring, text_data_ring, fail;
  uint64_t count_bits, descs, infos, head_id, tail_id;
  uint64_t desc_size, state_var, text_blk_lpos, lpos_begin, lpos_next;
  uint64_t size_bits, data;
  uint64_t info_size, seq, ts_nsec, text_len, caller_id, dev_info, subsystem, device;
  uint64_t atomic_counter = 0;

  static PrbOffsets v5_10();  // Debian 5.10: printk_ringbuffer 80 bytes, prb_desc_ring 40
  static PrbOffsets v6_1();   // Debian 6.1: 88 / 48 (last_finalized_id added)
  static PrbOffsets odd();    // fields moved and padded: only VMCOREINFO can find them
};

enum class RecordState { Reserved = 0, Committed = 1, Finalized = 2 };

class SyntheticRingbuffer {
 public:
  // Where things go (kernel-image addresses; physical = vaddr - 0xffffffff80000000).
  static constexpr uint64_t kPrbSymbol = 0xffffffff82000000ull;
  static constexpr uint64_t kPrb = 0xffffffff82001000ull;
  // Far enough apart for rings up to 2^21 descriptors and 64 MiB of text.
  static constexpr uint64_t kDescs = 0xffffffff84000000ull;
  static constexpr uint64_t kInfos = 0xffffffff90000000ull;
  static constexpr uint64_t kData = 0xffffffffa0000000ull;
  static uint64_t phys(uint64_t vaddr) { return vaddr - 0xffffffff80000000ull; }

  SyntheticRingbuffer(PrbOffsets offsets, unsigned count_bits, unsigned size_bits);

  // printk of one record, left in `state` (a finalized record is what the kernel leaves
  // behind for every record but possibly the last). `slack` extra bytes are reserved in
  // the data block, as the kernel reserves room for a terminating NUL.
  uint64_t add(const LogRecord& r, RecordState state = RecordState::Finalized,
               unsigned slack = 0);
  // A record whose text allocation failed (begin = next = FAILED_LPOS).
  uint64_t add_failed(const LogRecord& r);

  // The records a correct decoder must find, in seq order (text-less records included).
  std::vector<LogRecord> live() const;

  // VMCOREINFO text for the layout, with SYMBOL(prb).
  std::string vmcoreinfo() const;
  // Writes the prb pointer, the struct and the three arrays into `memory`.
  void write(PagedPhysicalMemory& memory) const;

  // Raw access, for damage.
  uint64_t index(uint64_t id) const { return id & (count_ - 1); }
  std::vector<std::byte>& descs() { return descs_; }
  std::vector<std::byte>& infos() { return infos_; }
  std::vector<std::byte>& data() { return data_; }
  std::vector<std::byte>& prb() { return prb_; }
  const PrbOffsets& offsets() const { return o_; }
  uint64_t head_id() const { return head_; }
  uint64_t tail_id() const { return tail_; }
  void set_u64(std::vector<std::byte>& b, uint64_t off, uint64_t v);
  void set_u16(std::vector<std::byte>& b, uint64_t off, uint16_t v);
  void set_u32(std::vector<std::byte>& b, uint64_t off, uint32_t v);
  uint64_t get_u64(const std::vector<std::byte>& b, uint64_t off) const;
  void set_fail(uint64_t n);

 private:
  struct Live {
    uint64_t id;
    LogRecord record;
    uint64_t begin, next;
  };
  uint64_t desc_off(uint64_t id) const { return index(id) * o_.desc_size; }
  uint64_t info_off(uint64_t id) const { return index(id) * o_.info_size; }
  uint64_t state_of(uint64_t id) const;
  void set_state(uint64_t id, uint64_t state);
  uint64_t reserve(const LogRecord& r);  // desc_reserve + seq; returns the id
  void fill_info(uint64_t id, const LogRecord& r);
  void forget(uint64_t id);  // the record no longer counts as live
  void sync_prb();

  PrbOffsets o_;
  uint64_t count_, size_;
  std::vector<std::byte> descs_, infos_, data_, prb_;
  uint64_t head_, tail_;
  uint64_t data_head_, data_tail_;
  std::deque<Live> live_;  // records in id order, oldest first
  std::deque<std::pair<uint64_t, uint64_t>> blocks_;  // (id, next) of data blocks, oldest first
};

}  // namespace vmcap::testing
