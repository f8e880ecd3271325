#include "capture/printk/text_formatter.h"

#include <cinttypes>
#include <cstdio>

#include "capture/printk/char_ring_decoder.h"

namespace vmcap {
namespace {

// isprint() || isspace() in the C locale, independent of the process's locale.
bool c_locale_printable_or_space(unsigned char c) {
  return (c >= 0x20 && c <= 0x7e) || (c >= '\t' && c <= '\r');
}

}  // namespace

void TextFormatter::render(const LogRecord& r, std::string& out) {
  char prefix[64];
  uint64_t sec = r.ts_nsec / 1000000000u;
  uint64_t usec = (r.ts_nsec % 1000000000u) / 1000u;
  int n = std::snprintf(prefix, sizeof prefix, "[%5" PRIu64 ".%06" PRIu64 "] ", sec, usec);
  out.append(prefix, static_cast<size_t>(n));
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned char c : r.text) {
    if (c_locale_printable_or_space(c)) {
      out.push_back(static_cast<char>(c));
    } else {
      char esc[4] = {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
      out.append(esc, 4);
    }
  }
  out.push_back('\n');
}

void TextFormatter::record(const LogRecord& r) {
  line_.clear();
  render(r, line_);
  emit(line_);
}

void CharRingTextFormatter::record(const LogRecord& r) { emit(char_ring_line(r)); }

}  // namespace vmcap
