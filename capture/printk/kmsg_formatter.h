// "kmsg" output: records exactly as a reader of /dev/kmsg gets them from the kernel
// (devkmsg_read: info_print_ext_header + msg_print_ext_body, 5.10+):
//   "<prio>,<seq>,<ts_usec>,<flag>[,caller=T<pid>|C<cpu>];<text>\n"
//   then " SUBSYSTEM=<value>\n" and " DEVICE=<value>\n" when those are set.
// prio = facility * 8 + level; flag is 'c' when the record has LOG_CONT, else '-' (the
// rule of 4.9 and later; 3.5-4.8 also wrote '+' from the previous record's flags, which a
// decoder that streams records cannot reproduce, and no current reader relies on).
// In the text and the values, bytes below 0x20, from 0x7f up, and '\' become "\xNN".
#pragma once

#include "capture/printk/stream_formatter.h"

namespace vmcap {

struct KmsgOptions {
  // Add ",caller=..." as a kernel built with CONFIG_PRINTK_CALLER does. VMCOREINFO does not
  // say whether it was (the field exists either way), so this is the caller's choice.
  bool caller = false;
};

class KmsgFormatter : public StreamFormatter {
 public:
  KmsgFormatter(std::ostream& out, std::ostream* warnings = nullptr, KmsgOptions options = {})
      : StreamFormatter(out, warnings), options_(options) {}
  void record(const LogRecord& r) override;

  static void render(const LogRecord& r, const KmsgOptions& options, std::string& out);

 private:
  KmsgOptions options_;
};

}  // namespace vmcap
