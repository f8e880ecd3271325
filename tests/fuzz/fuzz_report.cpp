// Fuzz target: vmcap report's own parsing and output (report/, docs/report.md). The input's
// first line is a --since value (parse_since refuses it or gives a time); the rest is an
// index entry as another machine left it: when it parses, it is grouped (as several
// captures, at its own time and others) and rendered in every format, which must stay
// safe: the page holds no tag made of the entry's text and is valid UTF-8, the JSON parses
// back, the text holds no control character but its newlines.
#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "index/index_entry.h"
#include "report/report_formats.h"
#include "report/safe_text.h"
#include "report/since_time.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vmcap;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  const size_t nl = bytes.find('\n');
  const std::string_view since_text = bytes.substr(0, nl == std::string_view::npos ? bytes.size() : nl);
  const std::string_view entry_bytes = nl == std::string_view::npos ? std::string_view() : bytes.substr(nl + 1);

  auto since = report::parse_since(since_text.substr(0, 64), 1796083200);
  (void)report::utc_iso(since ? *since : 0);

  const std::string safe = report::terminal_safe(bytes);
  for (unsigned char c : safe)
    if (c < 0x20 || c == 0x7f) __builtin_trap();
  if (report::valid_utf8(safe) != safe) __builtin_trap();
  const std::string escaped = report::html_escape(bytes);
  if (escaped.find_first_of("<>\"'") != std::string::npos) __builtin_trap();

  auto entry = index::parse_index_entry(entry_bytes);
  if (!entry) return 0;
  report::CrashReport r(since ? std::optional<int64_t>(*since) : std::nullopt);
  r.destination = std::string(since_text);
  for (int i = 0; i < 3; ++i) {
    r.groups.add(*entry);
    entry->crash_time = entry->crash_time.value_or(0) + (i - 1) * 86400;
    entry->core_kept = !entry->core_kept;
  }
  const std::string html = report::render_html(r);
  if (report::valid_utf8(html) != html) __builtin_trap();
  for (const char* tag : {"<script", "<img", "<iframe", "<svg", "<object", "<embed", "<link", "<meta http-equiv=\"refresh"})
    if (html.find(tag) != std::string::npos) __builtin_trap();
  const std::string text = report::render_text(r);
  for (unsigned char c : text)
    if ((c < 0x20 && c != '\n') || c == 0x7f) __builtin_trap();
  auto json = nlohmann::json::parse(report::render_json(r), nullptr, false);
  if (json.is_discarded() || json["schema"] != report::kReportSchema) __builtin_trap();
  return 0;
}
