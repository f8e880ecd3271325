#include "pstore/records/log_line.h"

namespace vmcap::pstore {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Length of "<digits>" at the start of s, 0 when there is none. At most 4 digits: PRI is
// facility (a u8 in struct printk_info) << 3 | level.
size_t syslog_prefix_length(std::string_view s) {
  if (s.empty() || s[0] != '<') return 0;
  size_t i = 1;
  while (i < s.size() && i <= 5 && is_digit(s[i])) ++i;
  if (i == 1 || i >= s.size() || s[i] != '>') return 0;
  return i + 1;
}

// Length of "[...]" at the start of s when its inside is what the kernel prints there: a
// time ("    1.234567") or a caller id ("  T123", "   C0"). 0 otherwise.
size_t bracket_length(std::string_view s) {
  if (s.empty() || s[0] != '[') return 0;
  const size_t close = s.substr(0, 32).find(']');
  if (close == std::string_view::npos) return 0;
  std::string_view inside = s.substr(1, close - 1);
  while (!inside.empty() && inside.front() == ' ') inside.remove_prefix(1);
  if (inside.empty()) return 0;
  if (inside.front() == 'T' || inside.front() == 'C') inside.remove_prefix(1);
  bool digit = false;
  for (const char c : inside) {
    if (is_digit(c)) {
      digit = true;
    } else if (c != '.') {
      return 0;
    }
  }
  return digit ? close + 1 : 0;
}

}  // namespace

bool starts_with_printk_prefix(std::string_view line) { return syslog_prefix_length(line) > 0; }

std::string_view printk_line_message(std::string_view line) {
  size_t at = syslog_prefix_length(line);
  if (at == 0) return line;
  bool bracket = false;
  for (int i = 0; i < 2; ++i) {  // the time, then the caller id
    const size_t n = bracket_length(line.substr(at));
    if (n == 0) break;
    at += n;
    bracket = true;
  }
  if (bracket && at < line.size() && line[at] == ' ') ++at;
  return line.substr(at);
}

}  // namespace vmcap::pstore
