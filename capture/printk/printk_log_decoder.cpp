#include "capture/printk/printk_log_decoder.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <span>
#include <string_view>

#include <fmt/format.h>

#include "capture/printk/record_warnings.h"

namespace vmcap {

namespace printk_detail {

uint16_t load_u16(const std::byte* p) {
  return static_cast<uint16_t>(std::to_integer<unsigned>(p[0]) |
                               (std::to_integer<unsigned>(p[1]) << 8));
}

uint32_t load_u32(const std::byte* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | std::to_integer<uint32_t>(p[i]);
  return v;
}

uint64_t load_u64(const std::byte* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | std::to_integer<uint64_t>(p[i]);
  return v;
}

Result<uint64_t> read_uint(const VirtualMemory& memory, uint64_t vaddr, unsigned width) {
  std::array<std::byte, 8> raw{};
  if (width != 1 && width != 2 && width != 4 && width != 8)
    return make_error(ErrorKind::Usage, {}, vaddr, fmt::format("bad integer width {}", width));
  VMCAP_CHECK(memory.read(vaddr, std::span<std::byte>(raw.data(), width)));
  uint64_t v = 0;
  for (int i = static_cast<int>(width) - 1; i >= 0; --i)
    v = (v << 8) | std::to_integer<uint64_t>(raw[static_cast<size_t>(i)]);
  return v;
}

BufferImage BufferImage::read(const VirtualMemory& memory, uint64_t vaddr, uint64_t size,
                              uint64_t page_size) {
  BufferImage img;
  img.bytes_.assign(size, std::byte{0});
  if (size == 0) return img;
  if (memory.read(vaddr, std::span<std::byte>(img.bytes_.data(), size))) return img;

  // Some page is missing: salvage the rest page by page (each page is either read whole or
  // zeroed below, whatever the failed read left in it).
  if (page_size == 0 || (page_size & (page_size - 1)) != 0) page_size = 4096;
  uint64_t off = 0;
  while (off < size) {
    const uint64_t page_end = ((vaddr + off) | (page_size - 1)) + 1;  // next page boundary
    const uint64_t n = std::min<uint64_t>(size - off, page_end - (vaddr + off));
    if (!memory.read(vaddr + off, std::span<std::byte>(img.bytes_.data() + off, n))) {
      std::fill_n(img.bytes_.begin() + static_cast<std::ptrdiff_t>(off), n, std::byte{0});
      if (!img.holes_.empty() && img.holes_.back().second == off)
        img.holes_.back().second = off + n;
      else
        img.holes_.emplace_back(off, off + n);
    }
    off += n;
  }
  return img;
}

bool BufferImage::readable(uint64_t offset, uint64_t n) const {
  if (offset > bytes_.size() || n > bytes_.size() - offset) return false;
  const uint64_t end = offset + n;
  for (const auto& [b, e] : holes_)
    if (b < end && offset < e) return false;
  return true;
}

uint64_t BufferImage::readable_bytes() const {
  uint64_t lost = 0;
  for (const auto& [b, e] : holes_) lost += e - b;
  return bytes_.size() - lost;
}

}  // namespace printk_detail

using printk_detail::BufferImage;
using printk_detail::load_u16;
using printk_detail::load_u32;
using printk_detail::load_u64;
using printk_detail::read_uint;

Result<PrintkLogLayout> printk_log_layout(const VmcoreInfo& info) {
  PrintkLogLayout l;
  std::string s = "printk_log";
  if (!info.size("printk_log") && info.size("log")) {
    s = "log";
    l.old_name = true;
  }
  l.header_size = VMCAP_TRY(info.require_size(s));
  l.ts_nsec = VMCAP_TRY(info.require_offset(s + ".ts_nsec"));
  l.len = VMCAP_TRY(info.require_offset(s + ".len"));
  l.text_len = VMCAP_TRY(info.require_offset(s + ".text_len"));
  l.dict_len = info.offset(s + ".dict_len").value_or(l.text_len + 2);
  l.facility = l.dict_len + 2;
  l.flags_level = l.dict_len + 3;
  l.caller_id = info.offset(s + ".caller_id");

  auto inside = [&](uint64_t off, uint64_t width, std::string_view what) -> Result<void> {
    if (off > l.header_size || width > l.header_size - off)
      return make_error(ErrorKind::Format, {}, std::nullopt,
                        fmt::format("VMCOREINFO: {} of struct {} at {} does not fit in its "
                                    "size {}",
                                    what, s, off, l.header_size));
    return ok();
  };
  if (l.header_size > 4096)
    return make_error(ErrorKind::Format, {}, std::nullopt,
                      fmt::format("VMCOREINFO: SIZE({})={} is not a plausible record header",
                                  s, l.header_size));
  VMCAP_CHECK(inside(l.ts_nsec, 8, "ts_nsec"));
  VMCAP_CHECK(inside(l.len, 2, "len"));
  VMCAP_CHECK(inside(l.text_len, 2, "text_len"));
  VMCAP_CHECK(inside(l.dict_len, 2, "dict_len"));
  VMCAP_CHECK(inside(l.flags_level, 1, "facility/flags/level"));
  if (l.caller_id) VMCAP_CHECK(inside(*l.caller_id, 4, "caller_id"));
  return l;
}

namespace {

constexpr uint64_t kAlign = 4;  // LOG_ALIGN is 4 or 8; records always start 4-aligned
// Consistent records that must chain from a position before a resync trusts it.
constexpr unsigned kTrust = 4;

uint64_t align_up(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

// Which part of the buffer a position is in. With log_first_idx > log_next_idx the log
// has wrapped: records run from first_idx to a wrap marker (Before), then from 0 to
// next_idx (After). Otherwise everything is After.
enum class Segment { Before, After };

struct Header {
  uint64_t ts_nsec;
  uint16_t len, text_len, dict_len;
  uint8_t facility, flags_level;
  std::optional<uint32_t> caller_id;
};

class Walker {
 public:
  Walker(const PrintkLogLayout& l, const BufferImage& img, uint64_t first, uint64_t next,
         uint64_t first_seq, LogSink& sink, RecordWarnings& record_warnings)
      : l_(l), img_(img), buf_(img.bytes().data()), size_(img.size()), first_(first),
        next_(next), seq_(first_seq), sink_(sink), record_warnings_(record_warnings) {}

  void run();

 private:
  bool header_readable(uint64_t i) const {
    return i <= size_ && l_.header_size <= size_ - i && img_.readable(i, l_.header_size);
  }
  Header header(uint64_t i) const {
    const std::byte* p = buf_ + i;
    Header h{load_u64(p + l_.ts_nsec), load_u16(p + l_.len), load_u16(p + l_.text_len),
             load_u16(p + l_.dict_len), std::to_integer<uint8_t>(p[l_.facility]),
             std::to_integer<uint8_t>(p[l_.flags_level]), std::nullopt};
    if (l_.caller_id) h.caller_id = load_u32(p + *l_.caller_id);
    return h;
  }
  uint64_t content(const Header& h) const {
    return l_.header_size + h.text_len + uint64_t{h.dict_len};
  }
  // Is position i (4-aligned) the place where a segment Before wraps to 0? The kernel
  // zeroes a whole header there (memset); vmcore-dmesg looks at len alone, but requiring
  // all zeros keeps a garbage log_first_idx that lands on a zero len from skipping the
  // older part of the log.
  bool is_wrap(uint64_t i) const {
    if (i + l_.header_size > size_) return true;
    if (!header_readable(i)) return false;
    for (uint64_t k = 0; k < l_.header_size; ++k)
      if (buf_[i + k] != std::byte{0}) return false;
    return true;
  }
  // A header at i whose fields agree with each other and with the segment's end.
  bool consistent(uint64_t i, Segment seg) const {
    if (i % kAlign != 0 || !header_readable(i)) return false;
    const Header h = header(i);
    const uint64_t end = seg == Segment::After ? next_ : size_;
    if (h.len == 0 || h.len % kAlign != 0) return false;
    if (h.len < content(h) || h.len >= content(h) + 8) return false;  // padding < LOG_ALIGN
    if (i >= end || h.len > end - i) return false;
    return true;
  }
  // good(seg, i): from i, kTrust consistent records chain on (or fewer that end properly at
  // log_next_idx or a wrap marker). Computed once, backwards, when a resync first needs it.
  bool good(Segment seg, uint64_t i);
  void compute_good();
  // First position >= from in seg (then in After, from 0) from which a good chain starts.
  // Always finds one, since next_idx itself is good.
  std::pair<Segment, uint64_t> resync(Segment seg, uint64_t from);
  void emit(uint64_t i, const Header& h);

  const PrintkLogLayout& l_;
  const BufferImage& img_;
  const std::byte* buf_;
  uint64_t size_;
  uint64_t first_, next_;
  uint64_t seq_;
  LogSink& sink_;  // warnings about the buffer as a whole: a handful at most
  RecordWarnings& record_warnings_;  // one per damaged or lost record: capped
  bool good_ready_ = false;
  std::vector<uint8_t> good_after_, good_before_;  // chain scores, indexed by position / 4
};

void Walker::compute_good() {
  // score = how many consistent records chain from a position, capped at kTrust; a chain
  // that ends properly (at log_next_idx, or at the wrap marker of the older part) counts as
  // kTrust. Resync only lands on positions with a full score: a stretch of text that happens
  // to look like one header does not qualify, and damage further on does not disqualify
  // the intact records before it.
  const uint64_t slots = size_ / kAlign + 1;
  good_after_.assign(slots, 0);
  good_before_.assign(slots, 0);
  good_after_[next_ / kAlign] = kTrust;
  for (uint64_t i = next_; i >= kAlign;) {
    i -= kAlign;
    if (!consistent(i, Segment::After)) continue;
    const uint64_t n = i + header(i).len;
    good_after_[i / kAlign] = static_cast<uint8_t>(std::min<unsigned>(kTrust, 1u + good_after_[n / kAlign]));
  }
  const uint64_t last = size_ >= kAlign ? (size_ - 1) / kAlign * kAlign : 0;
  for (uint64_t i = last; i > next_; i -= kAlign) {
    if (is_wrap(i)) {
      good_before_[i / kAlign] = kTrust;
      continue;
    }
    if (!consistent(i, Segment::Before)) continue;
    const uint64_t n = i + header(i).len;
    good_before_[i / kAlign] =
        n >= size_ ? kTrust
                   : static_cast<uint8_t>(std::min<unsigned>(kTrust, 1u + good_before_[n / kAlign]));
  }
  good_ready_ = true;
}

bool Walker::good(Segment seg, uint64_t i) {
  if (!good_ready_) compute_good();
  if (i % kAlign != 0 || i / kAlign >= good_after_.size()) return false;
  if (seg == Segment::After) return i <= next_ && good_after_[i / kAlign] >= kTrust;
  return i > next_ && good_before_[i / kAlign] >= kTrust;
}

std::pair<Segment, uint64_t> Walker::resync(Segment seg, uint64_t from) {
  uint64_t i = align_up(from, kAlign);
  if (seg == Segment::Before) {
    for (; i < size_; i += kAlign)
      if (good(Segment::Before, i)) return {Segment::Before, i};
    i = 0;
  }
  for (; i < next_; i += kAlign)
    if (good(Segment::After, i)) return {Segment::After, i};
  return {Segment::After, next_};
}

void Walker::emit(uint64_t i, const Header& h) {
  const uint64_t text_at = i + l_.header_size;
  const uint64_t dict_at = text_at + h.text_len;
  if (!img_.readable(text_at, uint64_t{h.text_len} + h.dict_len)) {
    record_warnings_.warn(fmt::format("printk_log record at log_buf+{:#x}: its text lies in "
                                      "a page the dump lacks; skipped",
                                      i));
    ++seq_;
    return;
  }
  LogRecord r;
  r.seq = seq_++;
  r.ts_nsec = h.ts_nsec;
  r.facility = h.facility;
  r.flags = h.flags_level & 0x1f;
  r.level = h.flags_level >> 5;
  r.caller_id = h.caller_id;
  r.text.assign(reinterpret_cast<const char*>(buf_ + text_at), h.text_len);
  // Dictionary: KEY=value entries separated by NUL.
  std::string_view dict(reinterpret_cast<const char*>(buf_ + dict_at), h.dict_len);
  while (!dict.empty()) {
    const size_t nul = dict.find('\0');
    const std::string_view entry = dict.substr(0, nul);
    if (entry.starts_with("SUBSYSTEM="))
      r.subsystem = std::string(entry.substr(10));
    else if (entry.starts_with("DEVICE="))
      r.device = std::string(entry.substr(7));
    if (nul == std::string_view::npos) break;
    dict.remove_prefix(nul + 1);
  }
  sink_.record(r);
}

void Walker::run() {
  const uint64_t min_record = align_up(std::max<uint64_t>(l_.header_size, 1), kAlign);
  const uint64_t max_steps = size_ / min_record + 4;

  // log_next_idx must be a record boundary inside the buffer; without it there is no end
  // to aim for, so decode forwards until the first inconsistency.
  const bool next_known = next_ % kAlign == 0 && next_ <= size_;
  if (!next_known) {
    sink_.warning(fmt::format("log_next_idx {:#x} is not a record position in a buffer of "
                              "{:#x} bytes; decoding until the first damaged record",
                              next_, size_));
    next_ = size_;  // After segment may run to the end of the buffer
  }

  bool wrapped_unknown = false;
  Segment seg = first_ > next_ ? Segment::Before : Segment::After;
  uint64_t i = first_;
  if (first_ % kAlign != 0 || first_ >= size_) {
    if (!next_known) {
      sink_.warning(fmt::format("log_first_idx {:#x} is outside the buffer too; nothing "
                                "decodable",
                                first_));
      return;
    }
    sink_.warning(fmt::format("log_first_idx {:#x} is not a record position in a buffer of "
                              "{:#x} bytes; searching for the oldest intact record",
                              first_, size_));
    std::tie(seg, i) = resync(Segment::Before, next_ + kAlign);
  }

  for (uint64_t step = 0;; ++step) {
    if (step > max_steps) {
      sink_.warning(fmt::format("printk_log walk exceeded {} steps; stopped", max_steps));
      return;
    }
    if (seg == Segment::After && i == next_) return;
    if (seg == Segment::Before && is_wrap(i)) {
      seg = Segment::After;
      i = 0;
      continue;
    }
    if (consistent(i, seg)) {
      const Header h = header(i);
      emit(i, h);
      i += h.len;
      if (seg == Segment::Before && i >= size_) {
        seg = Segment::After;
        i = 0;
      }
      continue;
    }

    // Damaged record at i.
    if (!next_known) {
      if (header_readable(i) && load_u16(buf_ + i + l_.len) == 0) {
        // A zero header: the wrap marker if the log has wrapped, else the end of what was
        // written. Wrap once; the records after the wrap end where the oldest begins.
        if (wrapped_unknown || first_ == 0) return;
        wrapped_unknown = true;
        next_ = first_;
        i = 0;
        continue;
      }
      // Not capped: it ends the walk, so it comes at most once and says why.
      sink_.warning(fmt::format("damaged printk_log record at log_buf+{:#x}; the end of "
                                "the log is unknown, stopped",
                                i));
      return;
    }
    std::string what = "unreadable header";
    if (header_readable(i)) {
      const Header h = header(i);
      what = fmt::format("len {} text_len {} dict_len {}", h.len, h.text_len, h.dict_len);
      // A wrong len with sane text_len/dict_len: the record's own content is intact if the
      // chain continues right after it (padded to 4 or 8).
      const uint64_t end = seg == Segment::After ? next_ : size_;
      for (uint64_t a : {uint64_t{4}, uint64_t{8}}) {
        const uint64_t n = align_up(i + content(h), a);
        if (n <= i || n > end) continue;
        if (good(seg, n) || (seg == Segment::Before && n == size_)) {
          record_warnings_.warn(fmt::format("printk_log record at log_buf+{:#x} has a bad "
                                            "len ({}); its text is intact and kept",
                                            i, what));
          emit(i, h);
          i = n;
          goto next_step;
        }
      }
    }
    {
      const auto [nseg, ni] = resync(seg, i + kAlign);
      const uint64_t lost = nseg == seg ? ni - i : (size_ - i) + ni;
      record_warnings_.warn(fmt::format("damaged printk_log record at log_buf+{:#x} ({}); "
                                        "skipped {} bytes to the next intact record at "
                                        "log_buf+{:#x}",
                                        i, what, lost, ni));
      seg = nseg;
      i = ni;
    }
  next_step:;
  }
}

}  // namespace

Result<void> decode_printk_log(const VmcoreInfo& info, const VirtualMemory& memory,
                               LogSink& sink) {
  return decode_printk_log(info, memory, sink, PrintkLogOptions{});
}

Result<void> decode_printk_log(const VmcoreInfo& info, const VirtualMemory& memory,
                               LogSink& sink, const PrintkLogOptions& options) {
  const PrintkLogLayout layout = VMCAP_TRY(printk_log_layout(info));
  const uint64_t log_buf_sym = VMCAP_TRY(info.require_symbol("log_buf"));
  const uint64_t log_buf_len_sym = VMCAP_TRY(info.require_symbol("log_buf_len"));
  const uint64_t first_sym = VMCAP_TRY(info.require_symbol("log_first_idx"));
  const uint64_t next_sym = VMCAP_TRY(info.require_symbol("log_next_idx"));

  const uint64_t log_buf = VMCAP_TRY(read_uint(memory, log_buf_sym, 8));
  const uint64_t log_buf_len = VMCAP_TRY(read_uint(memory, log_buf_len_sym, 4));
  const uint64_t first = VMCAP_TRY(read_uint(memory, first_sym, 4));
  const uint64_t next = VMCAP_TRY(read_uint(memory, next_sym, 4));
  uint64_t first_seq = 0;
  if (auto s = info.symbol("log_first_seq")) {
    if (auto v = read_uint(memory, *s, 8))
      first_seq = *v;
    else
      sink.warning("log_first_seq unreadable (" + v.error().message() + "); counting from 0");
  }

  if (log_buf_len == 0)
    return make_error(ErrorKind::Format, {}, log_buf_len_sym, "log_buf_len is 0");
  if (log_buf_len > kMaxPrintkLogBufLen)
    return make_error(ErrorKind::Limit, {}, log_buf_len_sym,
                      fmt::format("log_buf_len {} is above vmcap's limit of {} bytes",
                                  log_buf_len, kMaxPrintkLogBufLen));
  if (log_buf_len < layout.header_size)
    return make_error(ErrorKind::Format, {}, log_buf_len_sym,
                      fmt::format("log_buf_len {} cannot hold one record header of {} bytes",
                                  log_buf_len, layout.header_size));

  const BufferImage img =
      BufferImage::read(memory, log_buf, log_buf_len, info.page_size().value_or(4096));
  if (img.readable_bytes() == 0)
    return make_error(ErrorKind::Hole, {}, log_buf,
                      fmt::format("the log buffer ({} bytes at {:#x}) is not in the dump",
                                  log_buf_len, log_buf));
  for (const auto& [b, e] : img.holes())
    sink.warning(fmt::format("log_buf+{:#x}..{:#x} is not in the dump; records there are lost",
                             b, e));

  // Per-record warnings are capped: garbage can make one per few bytes of a 32 MiB buffer,
  // and the capture run keeps every warning in memory.
  RecordWarnings record_warnings(sink, options.max_record_warnings);
  Walker(layout, img, first, next, first_seq, sink, record_warnings).run();
  record_warnings.finish("printk_log");
  return ok();
}

}  // namespace vmcap
