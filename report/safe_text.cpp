#include "report/safe_text.h"

#include <cstdint>

namespace vmcap::report {
namespace {

constexpr char kReplacement[] = "\xEF\xBF\xBD";

// The length of the valid UTF-8 sequence at `at`, 0 if there is none.
size_t utf8_length(std::string_view s, size_t at) {
  const auto b = [&](size_t i) { return static_cast<uint8_t>(s[i]); };
  const uint8_t c = b(at);
  if (c < 0x80) return 1;
  size_t n;
  uint32_t min;
  uint32_t cp;
  if ((c & 0xE0) == 0xC0) { n = 2; min = 0x80; cp = c & 0x1F; }
  else if ((c & 0xF0) == 0xE0) { n = 3; min = 0x800; cp = c & 0x0F; }
  else if ((c & 0xF8) == 0xF0) { n = 4; min = 0x10000; cp = c & 0x07; }
  else return 0;
  if (at + n > s.size()) return 0;
  for (size_t i = 1; i < n; ++i) {
    if ((b(at + i) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(at + i) & 0x3F);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
  return n;
}

template <class Emit>
std::string transform(std::string_view s, Emit emit) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8_length(s, i);
    if (n == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    emit(out, s.substr(i, n));
    i += n;
  }
  return out;
}

}  // namespace

std::string valid_utf8(std::string_view text) {
  return transform(text, [](std::string& out, std::string_view ch) { out += ch; });
}

std::string terminal_safe(std::string_view text) {
  return transform(text, [](std::string& out, std::string_view ch) {
    const auto c = static_cast<uint8_t>(ch[0]);
    const bool c1 = ch.size() == 2 && c == 0xC2 && static_cast<uint8_t>(ch[1]) < 0xA0;
    if (c < 0x20 || c == 0x7F || c1)
      out += '?';
    else
      out += ch;
  });
}

std::string html_escape(std::string_view text) {
  return transform(text, [](std::string& out, std::string_view ch) {
    switch (ch[0]) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += ch;
    }
  });
}

}  // namespace vmcap::report
