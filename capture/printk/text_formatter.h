// "text" output: the kernel log exactly as kexec-tools' vmcore-dmesg prints it, so the two
// can be compared byte for byte.
#pragma once

#include <string>

#include "capture/printk/stream_formatter.h"

namespace vmcap {

class TextFormatter : public StreamFormatter {
 public:
  using StreamFormatter::StreamFormatter;
  void record(const LogRecord& r) override;

  // One record rendered, with its trailing newline: "[%5llu.%06llu] " then the text, where a
  // byte that is printable or white space in the C locale stays as it is and any other byte
  // becomes "\xNN". A text holding newlines spans several lines, the later ones bare.
  static void render(const LogRecord& r, std::string& out);
};

// "text" output for kernels before 3.5, whose character ring already holds "<N>" and the
// timestamp in each line: the lines as the ring held them (char_ring_line), which is
// again what vmcore-dmesg prints.
class CharRingTextFormatter : public StreamFormatter {
 public:
  using StreamFormatter::StreamFormatter;
  void record(const LogRecord& r) override;
};

}  // namespace vmcap
