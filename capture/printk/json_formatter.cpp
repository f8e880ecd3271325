#include "capture/printk/json_formatter.h"

#include <cinttypes>
#include <cstdio>

namespace vmcap {
namespace {

// Length of the valid UTF-8 sequence starting at s[i], or 0 if it is not one (RFC 3629:
// no overlong forms, no surrogates, nothing above U+10FFFF).
size_t utf8_sequence_length(std::string_view s, size_t i) {
  auto b = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  unsigned char c = b(i);
  if (c < 0x80) return 1;
  size_t len;
  unsigned char lo = 0x80, hi = 0xbf;  // allowed range of the second byte
  if (c >= 0xc2 && c <= 0xdf) len = 2;
  else if (c == 0xe0) len = 3, lo = 0xa0;
  else if (c == 0xed) len = 3, hi = 0x9f;
  else if (c >= 0xe1 && c <= 0xef) len = 3;
  else if (c == 0xf0) len = 4, lo = 0x90;
  else if (c == 0xf4) len = 4, hi = 0x8f;
  else if (c >= 0xf1 && c <= 0xf3) len = 4;
  else return 0;
  if (i + len > s.size()) return 0;
  if (b(i + 1) < lo || b(i + 1) > hi) return 0;
  for (size_t k = 2; k < len; ++k)
    if (b(i + k) < 0x80 || b(i + k) > 0xbf) return 0;
  return len;
}

void append_number(const char* key, uint64_t v, std::string& out) {
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, ",\"%s\":%" PRIu64, key, v);
  out.append(buf, static_cast<size_t>(n));
}

// ,"key":"value" and, if value is not valid UTF-8, ,"key_base64":"...".
void append_text_field(const char* key, std::string_view value, std::string& out) {
  out += ",\"";
  out += key;
  out += "\":";
  append_json_string(value, out);
  if (!is_valid_utf8(value)) {
    out += ",\"";
    out += key;
    out += "_base64\":\"";
    append_base64(value, out);
    out += '"';
  }
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    size_t n = utf8_sequence_length(s, i);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

void append_json_string(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t n = utf8_sequence_length(s, i);
    if (n == 0) {
      out += "\xef\xbf\xbd";  // U+FFFD for one invalid byte
      ++i;
    } else if (n > 1) {
      out.append(s.substr(i, n));
      i += n;
    } else {
      switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\n': out += "\\n"; break;
        case '\t': out += "\\t"; break;
        case '\r': out += "\\r"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        default:
          if (c < 0x20 || c == 0x7f) {
            char esc[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 15]};
            out.append(esc, 6);
          } else {
            out.push_back(static_cast<char>(c));
          }
      }
      ++i;
    }
  }
  out.push_back('"');
}

void append_base64(std::string_view s, std::string& out) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t i = 0;
  auto b = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(s[k])); };
  for (; i + 3 <= s.size(); i += 3) {
    uint32_t v = b(i) << 16 | b(i + 1) << 8 | b(i + 2);
    for (int shift = 18; shift >= 0; shift -= 6) out.push_back(kAlphabet[(v >> shift) & 63]);
  }
  size_t rest = s.size() - i;
  if (rest == 1) {
    uint32_t v = b(i) << 16;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out += "==";
  } else if (rest == 2) {
    uint32_t v = b(i) << 16 | b(i + 1) << 8;
    out.push_back(kAlphabet[(v >> 18) & 63]);
    out.push_back(kAlphabet[(v >> 12) & 63]);
    out.push_back(kAlphabet[(v >> 6) & 63]);
    out.push_back('=');
  }
}

void JsonFormatter::render(const LogRecord& r, std::string& out) {
  char buf[64];
  int n = std::snprintf(buf, sizeof buf, "{\"seq\":%" PRIu64, r.seq);
  out.append(buf, static_cast<size_t>(n));
  append_number("ts_nsec", r.ts_nsec, out);
  if (r.level_known) append_number("level", r.level, out);
  append_number("facility", r.facility, out);
  append_number("flags", r.flags, out);
  if (r.caller_id) {
    uint32_t id = *r.caller_id;
    n = std::snprintf(buf, sizeof buf, ",\"caller\":{\"%s\":%u}",
                      (id & 0x80000000u) ? "cpu" : "thread", id & ~0x80000000u);
    out.append(buf, static_cast<size_t>(n));
  }
  append_text_field("text", r.text, out);
  if (!r.subsystem.empty()) append_text_field("subsystem", r.subsystem, out);
  if (!r.device.empty()) append_text_field("device", r.device, out);
  out += "}\n";
}

void JsonFormatter::record(const LogRecord& r) {
  line_.clear();
  render(r, line_);
  emit(line_);
}

}  // namespace vmcap
