#include "pstore/records/dmesg_header.h"

#include <charconv>
#include <limits>

#include "pstore/records/quoted_bytes.h"

namespace vmcap::pstore {
namespace {

constexpr std::string_view kPart = " Part";

bool is_reason_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

DumpReason reason_of(std::string_view word) {
  static constexpr DumpReason kAll[] = {DumpReason::Panic,    DumpReason::Oops,    DumpReason::Emergency,
                                        DumpReason::Shutdown, DumpReason::Unknown, DumpReason::Restart,
                                        DumpReason::Halt,     DumpReason::Poweroff};
  for (const DumpReason r : kAll)
    if (word == dump_reason_name(r)) return r;
  return DumpReason::Other;
}

// The digits at text[at...] as T (with a leading '-' when allow_minus); at moves past them.
template <class T>
bool read_number(std::string_view text, size_t& at, T& out, bool allow_minus) {
  size_t end = at;
  if (allow_minus && end < text.size() && text[end] == '-') ++end;
  const size_t digits_start = end;
  while (end < text.size() && end - digits_start < 12 && text[end] >= '0' && text[end] <= '9') ++end;
  if (end == digits_start) return false;
  const auto [p, ec] = std::from_chars(text.data() + at, text.data() + end, out);
  if (ec != std::errc{} || p != text.data() + end) return false;
  at = end;
  return true;
}

Error no_header(std::string_view record, std::string_view why) {
  return make_error(ErrorKind::Format, {}, std::nullopt,
                    "no \"Reason#N PartM\" header line (" + std::string(why) + "): the record starts " +
                        (record.empty() ? std::string("empty") : quoted_bytes(record, 48)));
}

}  // namespace

std::string_view dump_reason_name(DumpReason reason) {
  switch (reason) {
    case DumpReason::Panic: return "Panic";
    case DumpReason::Oops: return "Oops";
    case DumpReason::Emergency: return "Emergency";
    case DumpReason::Shutdown: return "Shutdown";
    case DumpReason::Unknown: return "Unknown";
    case DumpReason::Restart: return "Restart";
    case DumpReason::Halt: return "Halt";
    case DumpReason::Poweroff: return "Poweroff";
    case DumpReason::Other: break;
  }
  return "Other";
}

Result<DmesgHeader> parse_dmesg_header(std::string_view record) {
  DmesgHeader h;
  size_t at = 0;
  while (at < record.size() && at <= kMaxReasonBytes && is_reason_char(record[at])) ++at;
  if (at == 0) return no_header(record, "no reason word");
  if (at > kMaxReasonBytes) return no_header(record, "reason word too long");
  if (at >= record.size() || record[at] != '#') return no_header(record, "no '#' after the reason");
  h.reason_text = std::string(record.substr(0, at));
  h.reason = reason_of(h.reason_text);
  ++at;
  if (!read_number(record, at, h.counter, true)) return no_header(record, "no dump counter after '#'");
  if (record.substr(at, kPart.size()) != kPart) return no_header(record, "no \" Part\" after the counter");
  at += kPart.size();
  if (!read_number(record, at, h.part, false)) return no_header(record, "no part number");
  if (at >= record.size() || record[at] != '\n') return no_header(record, "the header line does not end after the part number");
  h.text_offset = at + 1;
  return h;
}

}  // namespace vmcap::pstore
