#include "capture/printk/kmsg_formatter.h"

#include <cinttypes>
#include <cstdio>
#include <string_view>

namespace vmcap {
namespace {

constexpr uint8_t kLogCont = 8;  // enum printk_info_flags / log_flags: LOG_CONT

// The kernel's msg_add_ext_text() escaping.
void append_escaped(std::string_view s, std::string& out) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned char c : s) {
    if (c < 0x20 || c >= 0x7f || c == '\\') {
      char esc[4] = {'\\', 'x', kHex[c >> 4], kHex[c & 15]};
      out.append(esc, 4);
    } else {
      out.push_back(static_cast<char>(c));
    }
  }
}

void append_dict(std::string_view key, std::string_view value, std::string& out) {
  if (value.empty()) return;
  out.push_back(' ');
  out.append(key);
  out.push_back('=');
  append_escaped(value, out);
  out.push_back('\n');
}

}  // namespace

void KmsgFormatter::render(const LogRecord& r, const KmsgOptions& options, std::string& out) {
  char head[128];
  unsigned prio = (static_cast<unsigned>(r.facility) << 3) | (r.level & 7u);
  int n = std::snprintf(head, sizeof head, "%u,%" PRIu64 ",%" PRIu64 ",%c", prio, r.seq,
                        r.ts_nsec / 1000u, (r.flags & kLogCont) ? 'c' : '-');
  out.append(head, static_cast<size_t>(n));
  if (options.caller && r.caller_id) {
    uint32_t id = *r.caller_id;
    n = std::snprintf(head, sizeof head, ",caller=%c%u", (id & 0x80000000u) ? 'C' : 'T',
                      id & ~0x80000000u);
    out.append(head, static_cast<size_t>(n));
  }
  out.push_back(';');
  append_escaped(r.text, out);
  out.push_back('\n');
  append_dict("SUBSYSTEM", r.subsystem, out);
  append_dict("DEVICE", r.device, out);
}

void KmsgFormatter::record(const LogRecord& r) {
  line_.clear();
  render(r, options_, line_);
  emit(line_);
}

}  // namespace vmcap
