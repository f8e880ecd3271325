#include "capture/printk/ringbuffer_decoder.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <optional>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "capture/printk/record_warnings.h"
#include "capture/printk/region_reader.h"
#include "elf/byte_order.h"

namespace vmcap {
namespace {

// kernel/printk/printk_ringbuffer.h, for a 64-bit unsigned long.
constexpr uint64_t kFlagsShift = 62;
constexpr uint64_t kIdMask = (1ull << kFlagsShift) - 1;
enum DescState : uint64_t { kReserved = 0, kCommitted = 1, kFinalized = 2, kReusable = 3 };
constexpr uint64_t kNoLpos = 0x3;  // NO_LPOS (5.10) / EMPTY_LINE_LPOS (6.x): an empty line
constexpr uint64_t kIdSize = 8;    // the unsigned long id leading every data block


// A NUL-terminated char array of the crashed kernel, without its NUL.
std::string c_string(std::span<const std::byte> b, uint64_t off, uint64_t len) {
  const char* p = reinterpret_cast<const char*>(b.data() + off);
  return std::string(p, strnlen(p, len));
}

// How many array elements from `idx` on touch the unreadable page that a failed read of
// element idx found (at least 1): they would all fail the same way.
uint64_t ids_in_bad_page(const RegionReader& array, uint64_t idx, uint64_t elem_size) {
  auto end = array.unreadable_until(idx * elem_size);
  if (!end) return 1;
  const uint64_t next = (*end + elem_size - 1) / elem_size;  // first element past the page
  return next > idx ? next - idx : 1;
}

// The value most often added, if one is added more often than all others together
// (Boyer-Moore majority vote: one pass, no memory).
struct MajorityVote {
  uint64_t candidate = 0, weight = 0;
  void add(uint64_t v) {
    if (weight == 0) candidate = v;
    if (v == candidate)
      ++weight;
    else
      --weight;
  }
  std::optional<uint64_t> winner() const {
    return weight ? std::optional(candidate) : std::nullopt;
  }
};

const char* state_name(uint64_t s) {
  switch (s) {
    case kReserved: return "reserved (still being written)";
    case kCommitted: return "committed";
    case kFinalized: return "finalized";
    default: return "reusable (free)";
  }
}

class Decoder {
 public:
  Decoder(const RingbufferLayout& l, const VirtualMemory& vm, LogSink& sink,
          const RingbufferOptions& o)
      : l_(l), vm_(vm), sink_(sink), opt_(o), record_warnings_(sink, o.max_record_warnings) {}

  Result<RingbufferStats> run();

 private:
  struct Found {  // a committed or finalized descriptor whose info belongs to it
    uint64_t seq, id;
    // The kernel gives every id the next seq, so (id - seq) is the same for every record
    // of a ring; a record that disagrees has a damaged seq.
    uint64_t offset() const { return (id - seq) & kIdMask; }
  };

  // The descriptor for `id` if it currently holds it: its state_var.
  std::optional<uint64_t> descriptor_state(uint64_t id);
  bool id_is_current(uint64_t id) {
    auto sv = descriptor_state(id);
    return sv && (*sv & kIdMask) == id;
  }
  // Sends the record `id` to the sink if it is sound; counts and warns otherwise. Returns
  // how many ids it consumed: 1, or, when id's descriptor lies in an unreadable page, all
  // of the next `limit` ids whose descriptors lie in that page (skipped as one).
  uint64_t emit(uint64_t id, uint64_t limit = 1);
  // The record at descriptor idx if it looks sound; `step` says how many indexes to move
  // on (past an unreadable page of descriptors).
  std::optional<Found> sound_at(uint64_t idx, uint64_t& step);
  // The (id - seq) offset most records of ids [first, first + n) share.
  std::optional<uint64_t> common_offset(uint64_t first, uint64_t n);
  // Without usable head and tail ids: every descriptor, oldest record first.
  void scan();

  const RingbufferLayout& l_;
  const VirtualMemory& vm_;
  LogSink& sink_;
  RingbufferOptions opt_;
  RingbufferStats stats_;

  uint64_t count_ = 0, count_mask_ = 0, data_size_ = 0;
  std::optional<RegionReader> descs_, infos_, data_;
  bool have_last_ = false;
  uint64_t last_seq_ = 0, last_id_ = 0;
  // The offset most records share: the first record must have it, as every later one is
  // judged against the first (a damaged first seq would otherwise reject all the rest).
  std::optional<uint64_t> anchor_offset_;
  // Descriptors passed since the last record: freed by the kernel, or skipped as unsound.
  uint64_t freed_since_last_ = 0, bad_since_last_ = 0;
  RecordWarnings record_warnings_;
  LogRecord rec_;  // reused: its strings keep their capacity between records
};

std::optional<uint64_t> Decoder::descriptor_state(uint64_t id) {
  const uint64_t idx = id & count_mask_;
  ++stats_.descriptor_reads;
  auto d = descs_->get(idx * l_.desc_size, l_.desc_size);
  if (!d) return std::nullopt;
  return load_le64(*d, l_.state_var + l_.atomic_counter);
}

uint64_t Decoder::emit(uint64_t id, uint64_t limit) {
  const uint64_t idx = id & count_mask_;
  auto skip = [&](std::string why) -> uint64_t {
    ++stats_.skipped;
    ++bad_since_last_;
    record_warnings_.warn(fmt::format("printk ringbuffer: descriptor {} (id {:#x}): {}: skipped", idx, id,
                            why));
    return 1;
  };

  ++stats_.descriptor_reads;
  auto d = descs_->get(idx * l_.desc_size, l_.desc_size);
  if (!d) {
    const uint64_t run = std::min(limit, ids_in_bad_page(*descs_, idx, l_.desc_size));
    if (run <= 1) return skip("unreadable: " + d.error().message());
    stats_.skipped += run;
    bad_since_last_ += run;
    record_warnings_.warn(fmt::format("printk ringbuffer: descriptors {}..{} (ids {:#x}..): unreadable: {}: "
                            "skipped",
                            idx, idx + run - 1, id, d.error().message()));
    return run;
  }
  const uint64_t sv = load_le64(*d, l_.state_var + l_.atomic_counter);
  const uint64_t begin = load_le64(*d, l_.text_blk_lpos + l_.lpos_begin);
  const uint64_t next = load_le64(*d, l_.text_blk_lpos + l_.lpos_next);
  if ((sv & kIdMask) != id)
    return skip(fmt::format("holds id {:#x} instead", sv & kIdMask));
  const uint64_t state = sv >> kFlagsShift;
  if (state == kReusable) {
    // Normal: the kernel frees descriptors whose text the data ring overwrote (and the
    // bootstrap one) without moving tail_id until it needs them; data-less records
    // between them stay valid, so freed ones can follow records that come out.
    ++stats_.skipped;
    ++freed_since_last_;
    return 1;
  }
  if (state != kCommitted && state != kFinalized) return skip(state_name(state));

  auto inf = infos_->get(idx * l_.info_size, l_.info_size);
  if (!inf) return skip("info unreadable: " + inf.error().message());
  const uint64_t seq = load_le64(*inf, l_.seq);
  if ((seq & count_mask_) != idx)
    return skip(fmt::format("seq {} does not belong to this descriptor", seq));
  if (!have_last_ && anchor_offset_ && ((id - seq) & kIdMask) != *anchor_offset_)
    return skip(fmt::format("seq {} does not fit the ids and seqs of the other records", seq));
  if (have_last_) {
    if (seq <= last_seq_)
      return skip(fmt::format("seq {} after seq {} (out of order)", seq, last_seq_));
    // Each id step advances seq by one at most: a bigger jump is a garbage seq.
    if (seq - last_seq_ > ((id - last_id_) & kIdMask))
      return skip(fmt::format("seq {} jumps too far from seq {}", seq, last_seq_));
  }

  LogRecord& r = rec_;
  r.seq = seq;
  r.ts_nsec = load_le64(*inf, l_.ts_nsec);
  uint16_t text_len = load_le16(*inf, l_.text_len);
  const auto level_byte = static_cast<uint8_t>((*inf)[l_.text_len + 3]);
  r.facility = static_cast<uint8_t>((*inf)[l_.text_len + 2]);
  r.flags = level_byte & 0x1f;
  r.level = level_byte >> 5;
  r.level_known = true;
  r.caller_id = load_le32(*inf, l_.caller_id);
  r.subsystem = c_string(*inf, l_.dev_info + l_.subsystem, l_.subsystem_len);
  r.device = c_string(*inf, l_.dev_info + l_.device, l_.device_len);
  r.text.clear();

  if (begin & 1) {  // data-less
    if (!(begin == kNoLpos && next == kNoLpos))
      record_warnings_.warn(fmt::format("printk ringbuffer: record seq {}: its text was never stored "
                              "(lpos {:#x}..{:#x})",
                              seq, begin, next));
  } else {
    const uint64_t size_bits = static_cast<uint64_t>(std::countr_zero(data_size_));
    const uint64_t bw = begin >> size_bits, nw = next >> size_bits;
    const uint64_t bi = begin & (data_size_ - 1), ni = next & (data_size_ - 1);
    const uint64_t wrap_mask = ~0ull >> size_bits;  // wrap counts live in the upper bits
    uint64_t off, len;
    if ((begin | next) & (kIdSize - 1))
      return skip(fmt::format("data block {:#x}..{:#x} not aligned", begin, next));
    if (bw == nw && bi < ni) {
      off = bi, len = ni - bi;
    } else if (((bw + 1) & wrap_mask) == nw && ni == 0) {
      off = bi, len = data_size_ - bi;  // ends exactly at the ring's end
    } else if (((bw + 1) & wrap_mask) == nw && ni <= bi) {
      off = 0, len = ni;  // wrapped: the kernel stored it at the ring's start
    } else {
      return skip(fmt::format("data block {:#x}..{:#x} is impossible", begin, next));
    }
    if (len < kIdSize)
      return skip(fmt::format("data block {:#x}..{:#x} too small for its id", begin, next));
    if (text_len > len - kIdSize) {
      record_warnings_.warn(fmt::format("printk ringbuffer: record seq {}: text_len {} exceeds its "
                              "{}-byte data block: clamped",
                              seq, text_len, len - kIdSize));
      text_len = static_cast<uint16_t>(len - kIdSize);
    }
    auto block = data_->get(off, kIdSize + text_len);
    if (!block) return skip("text unreadable: " + block.error().message());
    const uint64_t block_id = load_le64(*block, 0);
    if (block_id != id)
      return skip(fmt::format("data block belongs to id {:#x}", block_id));
    r.text.assign(reinterpret_cast<const char*>(block->data() + kIdSize), text_len);
  }

  const uint64_t gap = have_last_ ? seq - last_seq_ - 1 : 0;
  if (gap && gap == freed_since_last_ && bad_since_last_ == 0) {
    stats_.overwritten += gap;  // the kernel itself dropped them: no warning
  } else if (gap) {
    stats_.missing_seqs += gap;
    record_warnings_.warn(seq == last_seq_ + 2
                    ? fmt::format("printk ringbuffer: record seq {} is missing", last_seq_ + 1)
                    : fmt::format("printk ringbuffer: records seq {}..{} are missing",
                                  last_seq_ + 1, seq - 1));
  }
  have_last_ = true;
  freed_since_last_ = bad_since_last_ = 0;
  last_seq_ = seq;
  last_id_ = id;
  ++stats_.records;
  sink_.record(r);
  return 1;
}

std::optional<Decoder::Found> Decoder::sound_at(uint64_t idx, uint64_t& step) {
  step = 1;
  ++stats_.descriptor_reads;
  auto d = descs_->get(idx * l_.desc_size, l_.desc_size);
  if (!d) {
    step = ids_in_bad_page(*descs_, idx, l_.desc_size);
    return std::nullopt;
  }
  const uint64_t sv = load_le64(*d, l_.state_var + l_.atomic_counter);
  const uint64_t state = sv >> kFlagsShift;
  if ((sv & count_mask_) != idx || (state != kCommitted && state != kFinalized))
    return std::nullopt;
  auto inf = infos_->get(idx * l_.info_size, l_.info_size);
  if (!inf) return std::nullopt;  // descriptors after it are readable: their infos may be too
  const uint64_t seq = load_le64(*inf, l_.seq);
  if ((seq & count_mask_) != idx) return std::nullopt;
  return Found{seq, sv & kIdMask};
}

std::optional<uint64_t> Decoder::common_offset(uint64_t first, uint64_t n) {
  MajorityVote vote;
  for (uint64_t i = 0, step = 1; i < n; i += step) {
    const uint64_t id = (first + i) & kIdMask;
    auto f = sound_at(id & count_mask_, step);
    if (f && f->id == id) vote.add(f->offset());
  }
  return vote.winner();
}

// Three passes over the descriptors, none storing them (a garbage count_bits may make
// 2^26): the offset most records share, the oldest record with it, then every record
// from that one on around the ring. A hole skips the rest of its page: a garbage
// count_bits over unmapped memory costs one read per page, not one per descriptor.
void Decoder::scan() {
  MajorityVote vote;
  for (uint64_t idx = 0, step = 1; idx < count_; idx += step)
    if (auto f = sound_at(idx, step)) vote.add(f->offset());
  anchor_offset_ = vote.winner();
  if (!anchor_offset_) return;
  std::optional<Found> oldest;
  for (uint64_t idx = 0, step = 1; idx < count_; idx += step) {
    auto f = sound_at(idx, step);
    if (f && f->offset() == *anchor_offset_ && (!oldest || f->seq < oldest->seq)) oldest = f;
  }
  const uint64_t start = oldest->seq & count_mask_;
  for (uint64_t i = 0, step = 1; i < count_; i += step)
    if (auto f = sound_at((start + i) & count_mask_, step)) emit(f->id);
}

Result<RingbufferStats> Decoder::run() {
  std::byte ptr[8];
  VMCAP_CHECK(vm_.read(l_.prb_symbol, ptr));
  const uint64_t prb = load_le64(ptr, 0);
  std::vector<std::byte> rb(l_.ringbuffer_size);
  if (auto r = vm_.read(prb, rb); !r)
    return make_error(r.error().kind, r.error().file, r.error().offset,
                      fmt::format("struct printk_ringbuffer at {:#x} (from prb): {}", prb,
                                  r.error().reason));

  const uint64_t dr = l_.desc_ring, tr = l_.text_data_ring;
  const uint64_t count_bits = load_le32(rb, dr + l_.count_bits);
  const uint64_t size_bits = load_le32(rb, tr + l_.size_bits);
  const uint64_t descs = load_le64(rb, dr + l_.descs), infos = load_le64(rb, dr + l_.infos);
  const uint64_t data = load_le64(rb, tr + l_.data);
  const uint64_t head = load_le64(rb, dr + l_.head_id + l_.atomic_counter);
  const uint64_t tail = load_le64(rb, dr + l_.tail_id + l_.atomic_counter);
  if (size_bits > kMaxSizeBits || size_bits < 4 || count_bits > kMaxCountBits ||
      count_bits > size_bits)
    return make_error(ErrorKind::Format, {}, prb,
                      fmt::format("printk ringbuffer at {:#x}: count_bits {} / size_bits {} "
                                  "are not a ring the kernel makes",
                                  prb, count_bits, size_bits));
  count_ = 1ull << count_bits;
  count_mask_ = count_ - 1;
  data_size_ = 1ull << size_bits;
  stats_.descriptor_count = count_;
  stats_.data_size = data_size_;
  descs_.emplace(vm_, descs, count_ * l_.desc_size, opt_.window_bytes);
  infos_.emplace(vm_, infos, count_ * l_.info_size, opt_.window_bytes);
  data_.emplace(vm_, data, data_size_, opt_.window_bytes);

  if (l_.fail) {
    if (uint64_t failed = load_le64(rb, *l_.fail + l_.atomic_counter))
      sink_.warning(fmt::format("printk ringbuffer: the kernel failed to reserve {} records "
                                "(prb->fail)",
                                failed));
  }

  const uint64_t distance = (head - tail) & kIdMask;
  const bool ids_ok = (head >> kFlagsShift) == 0 && (tail >> kFlagsShift) == 0;
  if (ids_ok && distance < count_ && id_is_current(head) && id_is_current(tail)) {
    anchor_offset_ = common_offset(tail, distance + 1);
    for (uint64_t i = 0; i <= distance;) i += emit((tail + i) & kIdMask, distance + 1 - i);
  } else {
    sink_.warning(fmt::format("printk ringbuffer: tail_id {:#x} / head_id {:#x} are not "
                              "consistent with the {} descriptors: scanning them all",
                              tail, head, count_));
    stats_.scanned = true;
    scan();
  }

  record_warnings_.finish("printk ringbuffer");
  return stats_;
}

}  // namespace

Result<RingbufferStats> decode_ringbuffer(const RingbufferLayout& layout,
                                          const VirtualMemory& memory, LogSink& sink,
                                          const RingbufferOptions& options) {
  return Decoder(layout, memory, sink, options).run();
}

Result<RingbufferStats> decode_ringbuffer(const VmcoreInfo& info, const VirtualMemory& memory,
                                          LogSink& sink, const RingbufferOptions& options) {
  auto layout = VMCAP_TRY(RingbufferLayout::from_vmcoreinfo(info));
  return decode_ringbuffer(layout, memory, sink, options);
}

}  // namespace vmcap
