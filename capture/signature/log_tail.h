// The end of the kernel log as the crash signature reads it: the texts of the last
// kSignatureLogRecords lines, continuation records joined to the line they continue.
// A LogSink, so whoever walks the log ring (the capture, for its dmesg artifacts) can
// feed it in the same pass instead of decoding the log a second time.
#pragma once

#include <cstddef>
#include <deque>
#include <string>
#include <vector>

#include "capture/printk/log_record.h"

namespace vmcap {

// Only the end of the log matters: the crash is what the kernel printed last.
inline constexpr size_t kSignatureLogRecords = 2000;

class LogTail final : public LogSink {
 public:
  void record(const LogRecord& r) override;
  void warning(const std::string&) override { ++warnings_; }

  std::vector<std::string> lines() const { return {lines_.begin(), lines_.end()}; }
  size_t warnings() const { return warnings_; }

 private:
  void push(std::string line);
  std::deque<std::string> lines_;
  size_t warnings_ = 0;
};

}  // namespace vmcap
