// "json" output: one JSON object a line per record (JSON Lines), schema in
// docs/dmesg-json.md. Text that is not valid UTF-8 is kept losslessly: "text" then carries
// U+FFFD for each invalid byte and "text_base64" the exact bytes (likewise "subsystem" /
// "device" with "subsystem_base64" / "device_base64").
#pragma once

#include <string>
#include <string_view>

#include "capture/printk/stream_formatter.h"

namespace vmcap {

class JsonFormatter : public StreamFormatter {
 public:
  using StreamFormatter::StreamFormatter;
  void record(const LogRecord& r) override;

  static void render(const LogRecord& r, std::string& out);
};

// Helpers, exposed for tests.
bool is_valid_utf8(std::string_view s);
// s as a quoted JSON string; invalid UTF-8 bytes become U+FFFD.
void append_json_string(std::string_view s, std::string& out);
void append_base64(std::string_view s, std::string& out);

}  // namespace vmcap
