#include "tests/printk/synthetic_ringbuffer.h"

#include <algorithm>
#include <bit>
#include <cstring>
#include <stdexcept>

#include <fmt/format.h>

namespace vmcap::testing {
namespace {

constexpr uint64_t kIdMask = (1ull << 62) - 1;
constexpr uint64_t kReusable = 3;
constexpr uint64_t kFailedLpos = 0x1, kEmptyLpos = 0x3;

uint64_t sv(uint64_t id, uint64_t state) { return state << 62 | (id & kIdMask); }

}  // namespace

PrbOffsets PrbOffsets::v5_10() {
  PrbOffsets o;
  o.rb_size = 80, o.desc_ring = 0, o.text_data_ring = 40, o.fail = 72;
  o.count_bits = 0, o.descs = 8, o.infos = 16, o.head_id = 24, o.tail_id = 32;
  o.desc_size = 24, o.state_var = 0, o.text_blk_lpos = 8, o.lpos_begin = 0, o.lpos_next = 8;
  o.size_bits = 0, o.data = 8;
  o.info_size = 88, o.seq = 0, o.ts_nsec = 8, o.text_len = 16, o.caller_id = 20;
  o.dev_info = 24, o.subsystem = 0, o.device = 16;
  return o;
}

PrbOffsets PrbOffsets::v6_1() {
  PrbOffsets o = v5_10();
  o.rb_size = 88, o.text_data_ring = 48, o.fail = 80;
  return o;
}

PrbOffsets PrbOffsets::odd() {
  PrbOffsets o;
  o.atomic_counter = 8;
  o.rb_size = 160, o.desc_ring = 32, o.text_data_ring = 112, o.fail = 144;
  o.count_bits = 4, o.descs = 16, o.infos = 40, o.head_id = 56, o.tail_id = 24;
  o.desc_size = 48, o.state_var = 0, o.text_blk_lpos = 24, o.lpos_begin = 8, o.lpos_next = 0;
  o.size_bits = 12, o.data = 24;
  o.info_size = 128, o.seq = 40, o.ts_nsec = 0, o.text_len = 24, o.caller_id = 16;
  o.dev_info = 56, o.subsystem = 48, o.device = 0;
  return o;
}

SyntheticRingbuffer::SyntheticRingbuffer(PrbOffsets offsets, unsigned count_bits,
                                         unsigned size_bits)
    : o_(offsets), count_(1ull << count_bits), size_(1ull << size_bits) {
  descs_.assign(count_ * o_.desc_size, std::byte{0});
  infos_.assign(count_ * o_.info_size, std::byte{0});
  data_.assign(size_, std::byte{0});
  prb_.assign(o_.rb_size, std::byte{0});
  // The static bootstrap of DEFINE_PRINTKRB.
  head_ = tail_ = (0 - (count_ + 1)) & kIdMask;  // DESC0_ID
  set_state(head_, kReusable);
  set_u64(descs_, desc_off(head_) + o_.text_blk_lpos + o_.lpos_begin, kFailedLpos);
  set_u64(descs_, desc_off(head_) + o_.text_blk_lpos + o_.lpos_next, kFailedLpos);
  set_u64(infos_, o_.seq, 0 - count_);                        // infos[0]
  set_u64(infos_, (count_ - 1) * o_.info_size + o_.seq, 0);  // infos[count - 1]
  data_head_ = data_tail_ = 0 - size_;                        // BLK0_LPOS
  set_u32(prb_, o_.desc_ring + o_.count_bits, count_bits);
  set_u32(prb_, o_.text_data_ring + o_.size_bits, size_bits);
}

void SyntheticRingbuffer::set_u64(std::vector<std::byte>& b, uint64_t off, uint64_t v) {
  std::memcpy(b.data() + off, &v, 8);
}
void SyntheticRingbuffer::set_u32(std::vector<std::byte>& b, uint64_t off, uint32_t v) {
  std::memcpy(b.data() + off, &v, 4);
}
void SyntheticRingbuffer::set_u16(std::vector<std::byte>& b, uint64_t off, uint16_t v) {
  std::memcpy(b.data() + off, &v, 2);
}
uint64_t SyntheticRingbuffer::get_u64(const std::vector<std::byte>& b, uint64_t off) const {
  uint64_t v;
  std::memcpy(&v, b.data() + off, 8);
  return v;
}

uint64_t SyntheticRingbuffer::state_of(uint64_t id) const {
  return get_u64(descs_, desc_off(id) + o_.state_var + o_.atomic_counter);
}

void SyntheticRingbuffer::set_state(uint64_t id, uint64_t state) {
  set_u64(descs_, desc_off(id) + o_.state_var + o_.atomic_counter, sv(id, state));
}

void SyntheticRingbuffer::forget(uint64_t id) {
  if (!live_.empty() && live_.front().id == id) {  // the usual case: the oldest goes
    live_.pop_front();
    return;
  }
  std::erase_if(live_, [&](const Live& l) { return l.id == id; });
}

uint64_t SyntheticRingbuffer::reserve(const LogRecord&) {
  const uint64_t id = (head_ + 1) & kIdMask;
  if (id == ((tail_ + count_) & kIdMask)) {  // desc_push_tail
    if (state_of(tail_) != sv(tail_, kReusable)) {
      set_state(tail_, kReusable);
      if (!blocks_.empty() && blocks_.front().first == tail_) {
        data_tail_ = blocks_.front().second;
        blocks_.pop_front();
      }
    }
    forget(tail_);
    tail_ = (tail_ + 1) & kIdMask;
  }
  const uint64_t prev_seq = get_u64(infos_, info_off(id) + o_.seq);
  const uint64_t seq = (prev_seq == 0 && index(id) != 0) ? index(id) : prev_seq + count_;
  // desc_make_final() of the previous record.
  if (state_of(head_) == sv(head_, 1)) set_state(head_, 2);
  head_ = id;
  set_state(id, 0);
  std::fill_n(infos_.begin() + static_cast<long>(info_off(id)), o_.info_size, std::byte{0});
  set_u64(infos_, info_off(id) + o_.seq, seq);
  return id;
}

void SyntheticRingbuffer::fill_info(uint64_t id, const LogRecord& r) {
  const uint64_t i = info_off(id);
  set_u64(infos_, i + o_.ts_nsec, r.ts_nsec);
  set_u16(infos_, i + o_.text_len, static_cast<uint16_t>(r.text.size()));
  infos_[i + o_.text_len + 2] = std::byte{r.facility};
  infos_[i + o_.text_len + 3] = std::byte(static_cast<uint8_t>((r.flags & 0x1f) | r.level << 5));
  set_u32(infos_, i + o_.caller_id, r.caller_id.value_or(0));
  std::memcpy(infos_.data() + i + o_.dev_info + o_.subsystem, r.subsystem.data(),
              std::min<size_t>(r.subsystem.size(), 15));
  std::memcpy(infos_.data() + i + o_.dev_info + o_.device, r.device.data(),
              std::min<size_t>(r.device.size(), 47));
}

uint64_t SyntheticRingbuffer::add(const LogRecord& r, RecordState state, unsigned slack) {
  const uint64_t id = reserve(r);
  uint64_t begin = kEmptyLpos, next = kEmptyLpos;
  if (!r.text.empty() || slack) {  // data_alloc
    const uint64_t size = (r.text.size() + slack + 8 + 7) & ~7ull;
    if (size > size_ / 2) throw std::invalid_argument("record too big for the data ring");
    begin = data_head_;
    next = begin + size;
    const unsigned bits = static_cast<unsigned>(std::countr_zero(size_));
    const bool wraps = (begin >> bits) != (next >> bits);
    if (wraps) next = ((next >> bits) << bits) + size;
    while (next - data_tail_ > size_) {  // data_push_tail
      auto [old, old_next] = blocks_.front();
      blocks_.pop_front();
      if (state_of(old) >> 62 != 0) set_state(old, kReusable);
      forget(old);
      data_tail_ = old_next;
    }
    const uint64_t at = wraps ? 0 : (begin & (size_ - 1));
    set_u64(data_, begin & (size_ - 1), id);
    set_u64(data_, at, id);
    std::memcpy(data_.data() + at + 8, r.text.data(), r.text.size());
    data_head_ = next;
    blocks_.emplace_back(id, next);
  }
  set_u64(descs_, desc_off(id) + o_.text_blk_lpos + o_.lpos_begin, begin);
  set_u64(descs_, desc_off(id) + o_.text_blk_lpos + o_.lpos_next, next);
  fill_info(id, r);
  if (state != RecordState::Reserved) {
    set_state(id, static_cast<uint64_t>(state));
    Live l{id, r, begin, next};
    l.record.seq = get_u64(infos_, info_off(id) + o_.seq);
    l.record.caller_id = r.caller_id.value_or(0);
    l.record.level_known = true;
    live_.push_back(std::move(l));
  }
  return id;
}

uint64_t SyntheticRingbuffer::add_failed(const LogRecord&) {
  // prb_reserve(): data_alloc failed, the record is committed with its zeroed info.
  const uint64_t id = reserve(LogRecord{});
  set_u64(descs_, desc_off(id) + o_.text_blk_lpos + o_.lpos_begin, kFailedLpos);
  set_u64(descs_, desc_off(id) + o_.text_blk_lpos + o_.lpos_next, kFailedLpos);
  set_state(id, 1);
  Live l{id, LogRecord{}, kFailedLpos, kFailedLpos};
  l.record.seq = get_u64(infos_, info_off(id) + o_.seq);
  l.record.level = 0;
  l.record.caller_id = 0;
  live_.push_back(std::move(l));
  return id;
}

std::vector<LogRecord> SyntheticRingbuffer::live() const {
  std::vector<LogRecord> out;
  for (const auto& l : live_) out.push_back(l.record);
  return out;
}

void SyntheticRingbuffer::set_fail(uint64_t n) {
  set_u64(prb_, o_.fail + o_.atomic_counter, n);
}

std::string SyntheticRingbuffer::vmcoreinfo() const {
  std::string s = "OSRELEASE=6.1.0-test\nPAGESIZE=4096\nNUMBER(phys_base)=0\n";
  s += fmt::format("SYMBOL(prb)={:x}\n", kPrbSymbol);
  auto off = [&](const char* k, uint64_t v) { s += fmt::format("OFFSET({})={}\n", k, v); };
  auto size = [&](const char* k, uint64_t v) { s += fmt::format("SIZE({})={}\n", k, v); };
  size("printk_ringbuffer", o_.rb_size);
  off("printk_ringbuffer.desc_ring", o_.desc_ring);
  off("printk_ringbuffer.text_data_ring", o_.text_data_ring);
  off("printk_ringbuffer.fail", o_.fail);
  off("prb_desc_ring.count_bits", o_.count_bits);
  off("prb_desc_ring.descs", o_.descs);
  off("prb_desc_ring.infos", o_.infos);
  off("prb_desc_ring.head_id", o_.head_id);
  off("prb_desc_ring.tail_id", o_.tail_id);
  size("prb_desc", o_.desc_size);
  off("prb_desc.state_var", o_.state_var);
  off("prb_desc.text_blk_lpos", o_.text_blk_lpos);
  size("prb_data_blk_lpos", 16);
  off("prb_data_blk_lpos.begin", o_.lpos_begin);
  off("prb_data_blk_lpos.next", o_.lpos_next);
  size("printk_info", o_.info_size);
  off("printk_info.seq", o_.seq);
  off("printk_info.ts_nsec", o_.ts_nsec);
  off("printk_info.text_len", o_.text_len);
  off("printk_info.caller_id", o_.caller_id);
  off("printk_info.dev_info", o_.dev_info);
  size("dev_printk_info", 64);
  off("dev_printk_info.subsystem", o_.subsystem);
  s += "LENGTH(printk_info_subsystem)=16\n";
  off("dev_printk_info.device", o_.device);
  s += "LENGTH(printk_info_device)=48\n";
  size("prb_data_ring", 32);
  off("prb_data_ring.size_bits", o_.size_bits);
  off("prb_data_ring.data", o_.data);
  off("atomic_long_t.counter", o_.atomic_counter);
  return s;
}

void SyntheticRingbuffer::write(PagedPhysicalMemory& memory) const {
  std::vector<std::byte> rb = prb_;
  auto put = [&](uint64_t off, uint64_t v) { std::memcpy(rb.data() + off, &v, 8); };
  put(o_.desc_ring + o_.descs, kDescs);
  put(o_.desc_ring + o_.infos, kInfos);
  put(o_.desc_ring + o_.head_id + o_.atomic_counter, head_);
  put(o_.desc_ring + o_.tail_id + o_.atomic_counter, tail_);
  put(o_.text_data_ring + o_.data, kData);
  memory.write_u64(phys(kPrbSymbol), kPrb);
  memory.write(phys(kPrb), rb);
  memory.write(phys(kDescs), descs_);
  memory.write(phys(kInfos), infos_);
  memory.write(phys(kData), data_);
}

}  // namespace vmcap::testing
