#include "capture/printk/char_ring_decoder.h"

#include <algorithm>
#include <charconv>
#include <string_view>

#include <fmt/format.h>

#include "capture/printk/printk_log_decoder.h"
#include "capture/printk/record_warnings.h"

namespace vmcap {

using printk_detail::BufferImage;
using printk_detail::read_uint;

namespace {

constexpr uint8_t kLogNewline = 2;  // the kernel's LOG_NEWLINE

// "[%5lu.%06lu]" at the start of s (leading spaces in the seconds field allowed).
std::optional<uint64_t> parse_timestamp(std::string_view s) {
  if (s.size() < 10 || s[0] != '[') return std::nullopt;
  size_t p = 1;
  while (p < s.size() && s[p] == ' ') ++p;
  const size_t sec_begin = p;
  while (p < s.size() && s[p] >= '0' && s[p] <= '9') ++p;
  if (p == sec_begin || p - sec_begin > 10 || p >= s.size() || s[p] != '.') return std::nullopt;
  const size_t usec_begin = ++p;
  while (p < s.size() && s[p] >= '0' && s[p] <= '9') ++p;
  if (p - usec_begin != 6 || p >= s.size() || s[p] != ']') return std::nullopt;
  uint64_t sec = 0, usec = 0;
  std::from_chars(s.data() + sec_begin, s.data() + usec_begin - 1, sec);
  std::from_chars(s.data() + usec_begin, s.data() + p, usec);
  return sec * 1000000000ull + usec * 1000ull;
}

// Leading decimal version numbers of OSRELEASE, e.g. "2.6.24-1-amd64" -> {2, 6, 24}.
std::vector<unsigned> version_numbers(std::string_view rel) {
  std::vector<unsigned> v;
  size_t p = 0;
  while (p < rel.size() && v.size() < 3) {
    unsigned n = 0;
    auto [end, ec] = std::from_chars(rel.data() + p, rel.data() + rel.size(), n);
    if (ec != std::errc{}) break;
    v.push_back(n);
    p = static_cast<size_t>(end - rel.data());
    if (p >= rel.size() || rel[p] != '.') break;
    ++p;
  }
  return v;
}

}  // namespace

unsigned char_ring_log_end_width(const VmcoreInfo& info) {
  const auto rel = info.value("OSRELEASE");
  if (!rel) return 4;
  const auto v = version_numbers(*rel);
  if (v.size() < 2) return 4;
  // unsigned long up to 2.6.24 (and all of 2.4 / 2.5), unsigned from 2.6.25.
  if (v[0] < 2 || (v[0] == 2 && v[1] < 6)) return 8;
  if (v[0] == 2 && v[1] == 6 && v.size() >= 3 && v[2] <= 24) return 8;
  return 4;
}

Result<void> decode_char_ring(const VmcoreInfo& info, const VirtualMemory& memory,
                              LogSink& sink) {
  return decode_char_ring(info, memory, sink, CharRingOptions{});
}

Result<void> decode_char_ring(const VmcoreInfo& info, const VirtualMemory& memory,
                              LogSink& sink, const CharRingOptions& options) {
  const uint64_t log_buf_sym = VMCAP_TRY(info.require_symbol("log_buf"));
  const uint64_t log_buf_len_sym = VMCAP_TRY(info.require_symbol("log_buf_len"));
  const uint64_t log_end_sym = VMCAP_TRY(info.require_symbol("log_end"));
  if (!info.value("OSRELEASE"))
    sink.warning("VMCOREINFO has no OSRELEASE; reading log_end as a 4-byte unsigned");

  const uint64_t log_buf = VMCAP_TRY(read_uint(memory, log_buf_sym, 8));
  const auto len_raw = static_cast<int32_t>(VMCAP_TRY(read_uint(memory, log_buf_len_sym, 4)));
  const uint64_t log_end =
      VMCAP_TRY(read_uint(memory, log_end_sym, char_ring_log_end_width(info)));

  if (len_raw <= 0)
    return make_error(ErrorKind::Format, {}, log_buf_len_sym,
                      fmt::format("log_buf_len is {}", len_raw));
  const auto len = static_cast<uint64_t>(len_raw);
  if (len > kMaxPrintkLogBufLen)
    return make_error(ErrorKind::Limit, {}, log_buf_len_sym,
                      fmt::format("log_buf_len {} is above vmcap's limit of {} bytes", len,
                                  kMaxPrintkLogBufLen));
  // The kernel only ever uses powers of two (it masks with len - 1); with any other value
  // the modulo is the only reading that stays inside the buffer.
  if ((len & (len - 1)) != 0)
    sink.warning(fmt::format("log_buf_len {} is not a power of two; using log_end modulo it",
                             len));

  const BufferImage img =
      BufferImage::read(memory, log_buf, len, info.page_size().value_or(4096));
  if (img.readable_bytes() == 0)
    return make_error(ErrorKind::Hole, {}, log_buf,
                      fmt::format("the log buffer ({} bytes at {:#x}) is not in the dump", len,
                                  log_buf));
  for (const auto& [b, e] : img.holes())
    sink.warning(
        fmt::format("log_buf+{:#x}..{:#x} is not in the dump; lines there are lost", b, e));

  // Unroll the ring: the kept text is the `count` characters ending at log_end, in at
  // most two pieces (count <= len, so it wraps at most once).
  const uint64_t count = std::min(log_end, len);
  const uint64_t start = (log_end - count) % len;
  const uint64_t first = std::min(count, len - start);
  const auto* bytes = reinterpret_cast<const char*>(img.bytes().data());
  std::string text(bytes + start, first);
  text.append(bytes, count - first);
  // Whether unrolled characters [from, to) all lie in pages the dump has.
  const bool holes = !img.holes().empty();
  auto readable = [&](uint64_t from, uint64_t to) {
    if (!holes) return true;
    const uint64_t at = (start + from) % len, n = to - from;
    const uint64_t head = std::min(n, len - at);
    return img.readable(at, head) && (head == n || img.readable(0, n - head));
  };
  if (log_end > len)
    sink.warning(fmt::format("the ring has wrapped ({} characters logged, {} kept): the "
                             "oldest line may have lost its beginning",
                             log_end, len));

  // One warning per line lost to a hole, capped like the other decoders' per-record ones.
  RecordWarnings line_warnings(sink, options.max_record_warnings);
  uint64_t seq = 0;
  size_t p = 0;
  while (p < text.size()) {
    size_t nl = text.find('\n', p);
    const bool newline = nl != std::string::npos;
    if (!newline) nl = text.size();
    std::string_view line(text.data() + p, nl - p);
    const size_t line_at = p;
    p = newline ? nl + 1 : nl;

    if (!readable(line_at, p)) {
      line_warnings.warn("a line of the ring lies partly in a page the dump lacks; skipped");
      ++seq;
      continue;
    }
    LogRecord r;
    r.seq = seq++;
    r.flags = newline ? kLogNewline : 0;
    if (line.size() >= 3 && line[0] == '<' && line[1] >= '0' && line[1] <= '7' &&
        line[2] == '>') {
      r.level = static_cast<uint8_t>(line[1] - '0');
      r.level_known = true;
      line.remove_prefix(3);
    } else {
      r.level_known = false;
    }
    r.ts_nsec = parse_timestamp(line).value_or(0);
    r.text = std::string(line);
    sink.record(r);
  }
  line_warnings.finish("printk character ring");
  return ok();
}

std::string char_ring_line(const LogRecord& r) {
  std::string s;
  if (r.level_known) {
    s += '<';
    s += static_cast<char>('0' + (r.level & 7));
    s += '>';
  }
  s += r.text;
  if (r.flags & kLogNewline) s += '\n';
  return s;
}

}  // namespace vmcap
