// Fuzz target: the output formatters (text, kmsg, json, character-ring text) on a LogRecord
// built from the input: 8 bytes seq, 8 ts_nsec, level, facility, flags, caller flag + 4
// bytes caller_id, then text / subsystem / device separated by 0xff bytes.
// Checks: kmsg is one escaped line per record plus one per dict value; json is one line
// that parses, and its text (or text_base64) gives back the exact bytes.
#include <cstdint>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "capture/printk/char_ring_decoder.h"
#include "capture/printk/json_formatter.h"
#include "capture/printk/kmsg_formatter.h"
#include "capture/printk/text_formatter.h"
#include "tests/fuzz/fuzz_memory.h"

namespace {

std::string decode_base64(const std::string& s) {
  auto val = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : s) {
    const int v = val(c);
    if (v < 0) continue;  // '=' padding
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

void check_field(const nlohmann::json& j, const std::string& key, const std::string& want) {
  if (j.contains(key + "_base64")) {
    if (decode_base64(j[key + "_base64"].get<std::string>()) != want) __builtin_trap();
  } else if (!want.empty() || j.contains(key)) {
    if (!j.contains(key) || j[key].get<std::string>() != want) __builtin_trap();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  vmcap::fuzz::InputReader in(data, size);
  vmcap::LogRecord r;
  r.seq = in.u(8);
  r.ts_nsec = in.u(8);
  r.level = in.byte() & 7;
  r.facility = in.byte();
  r.flags = in.byte();
  const uint8_t opts = in.byte();
  const uint32_t caller = static_cast<uint32_t>(in.u(4));
  if (opts & 1) r.caller_id = caller;
  r.level_known = !(opts & 2);
  std::string* field[] = {&r.text, &r.subsystem, &r.device};
  int f = 0;
  while (in.left()) {
    const uint8_t c = in.byte();
    if (c == 0xff && f < 2) {
      ++f;
      continue;
    }
    field[f]->push_back(static_cast<char>(c));
  }

  std::string line;
  vmcap::TextFormatter::render(r, line);
  line.clear();
  vmcap::KmsgFormatter::render(r, vmcap::KmsgOptions{(opts & 4) != 0}, line);
  size_t newlines = 0;
  for (unsigned char c : line) {
    if (c == '\n') ++newlines;
    else if (c < 0x20 || c == 0x7f) __builtin_trap();  // everything else is escaped
  }
  if (newlines != 1u + !r.subsystem.empty() + !r.device.empty()) __builtin_trap();

  line.clear();
  vmcap::JsonFormatter::render(r, line);
  if (line.empty() || line.back() != '\n' || line.find('\n') != line.size() - 1)
    __builtin_trap();
  auto j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) __builtin_trap();
  check_field(j, "text", r.text);
  check_field(j, "subsystem", r.subsystem);
  check_field(j, "device", r.device);

  // The streaming classes too (what vmcap dmesg uses).
  std::ostringstream out, warnings;
  vmcap::CharRingTextFormatter ring(out, &warnings);
  ring.record(r);
  ring.warning("fuzz");
  (void)vmcap::char_ring_line(r);
  return 0;
}
