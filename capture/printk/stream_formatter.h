// Base for the output formatters: a LogSink that writes each record to an ostream as it
// arrives (streaming: nothing is kept), and each warning as one line to a second stream.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>

#include "capture/printk/log_record.h"

namespace vmcap {

class StreamFormatter : public LogSink {
 public:
  // `warnings` may be null: warnings are then only counted.
  explicit StreamFormatter(std::ostream& out, std::ostream* warnings = nullptr)
      : out_(out), warnings_(warnings) {}

  void warning(const std::string& what) override;

  uint64_t records() const { return records_; }
  uint64_t warnings() const { return warning_count_; }

 protected:
  // Formatters build a record's bytes in `line` and hand them over here.
  void emit(const std::string& line);

  std::ostream& out_;
  std::string line_;  // reused between records to avoid an allocation per record

 private:
  std::ostream* warnings_;
  uint64_t records_ = 0;
  uint64_t warning_count_ = 0;
};

}  // namespace vmcap
