#include "pstore/collect/pstore_log.h"

#include <algorithm>
#include <cstdint>
#include <optional>

namespace vmcap::pstore {
namespace {

// Digits at s[i..] as a number no larger than max; i moves past them.
std::optional<uint64_t> digits(std::string_view s, size_t& i, uint64_t max, size_t max_digits) {
  size_t start = i;
  uint64_t v = 0;
  while (i < s.size() && s[i] >= '0' && s[i] <= '9' && i - start < max_digits) {
    v = v * 10 + static_cast<uint64_t>(s[i] - '0');
    ++i;
  }
  if (i == start || v > max) return std::nullopt;
  return v;
}

// "<PRI>" then optional "[ sec.usec]" and "[T123]"/"[C1]", then one space when either was there.
LogRecord parse_line(std::string_view line, bool& prefixed) {
  LogRecord r;
  prefixed = false;
  size_t i = 0;
  if (line.size() < 3 || line[0] != '<') {
    r.level_known = false;
    r.text = std::string(line);
    return r;
  }
  i = 1;
  auto pri = digits(line, i, 1023, 4);
  if (!pri || i >= line.size() || line[i] != '>') {
    r.level_known = false;
    r.text = std::string(line);
    return r;
  }
  ++i;
  prefixed = true;
  r.level = static_cast<uint8_t>(*pri & 7);
  r.facility = static_cast<uint8_t>(*pri >> 3);
  bool bracket = false;
  if (i < line.size() && line[i] == '[') {
    size_t j = i + 1;
    while (j < line.size() && line[j] == ' ') ++j;
    auto sec = digits(line, j, UINT64_MAX / 1000000000ull, 12);
    if (sec && j < line.size() && line[j] == '.') {
      ++j;
      size_t frac_start = j;
      auto usec = digits(line, j, 999999, 6);
      if (usec && j - frac_start == 6 && j < line.size() && line[j] == ']') {
        r.ts_nsec = *sec * 1000000000ull + *usec * 1000ull;
        i = j + 1;
        bracket = true;
      }
    }
  }
  // "[%6s]": "T123" or "C1" right-aligned in six columns.
  if (i < line.size() && line[i] == '[') {
    size_t j = i + 1;
    while (j < line.size() && j - i < 8 && line[j] == ' ') ++j;
    const char kind = j < line.size() ? line[j] : '\0';
    if (kind == 'T' || kind == 'C') {
      ++j;
      auto id = digits(line, j, 0x7fffffff, 10);
      if (id && j < line.size() && line[j] == ']') {
        r.caller_id = kind == 'C' ? 0x80000000u | static_cast<uint32_t>(*id) : static_cast<uint32_t>(*id);
        i = j + 1;
        bracket = true;
      }
    }
  }
  if (bracket && i < line.size() && line[i] == ' ') ++i;
  r.text = std::string(line.substr(i));
  return r;
}

}  // namespace

PstoreLog records_from_pstore_text(std::string_view text) {
  PstoreLog out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = text.substr(pos, end - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    if (out.records.size() + 1 >= kMaxPstoreRecords) {
      // The rest whole: bounded work, nothing dropped.
      LogRecord rest;
      rest.level_known = false;
      rest.text = std::string(text.substr(end - line.size()));
      out.records.push_back(std::move(rest));
      ++out.unprefixed_lines;
      break;
    }
    // A line longer than the kernel writes is split, not cut: its rest follows as records
    // of its own (level unknown), so no byte of the text is lost.
    std::string_view rest;
    if (line.size() > kMaxPstoreLineBytes) {
      rest = line.substr(kMaxPstoreLineBytes);
      line = line.substr(0, kMaxPstoreLineBytes);
      ++out.split_lines;
    }
    bool prefixed = false;
    out.records.push_back(parse_line(line, prefixed));
    if (!prefixed) ++out.unprefixed_lines;
    while (!rest.empty() && out.records.size() + 1 < kMaxPstoreRecords) {
      LogRecord more;
      more.level_known = false;
      more.text = std::string(rest.substr(0, kMaxPstoreLineBytes));
      rest.remove_prefix(std::min(rest.size(), kMaxPstoreLineBytes));
      out.records.push_back(std::move(more));
    }
  }
  return out;
}

}  // namespace vmcap::pstore
