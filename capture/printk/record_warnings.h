// Warnings about individual log records, capped. Garbage in a large log buffer can damage
// hundreds of thousands of records, and the capture run keeps every warning in memory:
// each decoder passes on the first `max` and then says how many more there were.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "capture/printk/log_record.h"

namespace vmcap {

class RecordWarnings {
 public:
  RecordWarnings(LogSink& sink, uint64_t max) : sink_(sink), max_(max) {}
  void warn(const std::string& what) {
    if (++count_ <= max_) sink_.warning(what);
  }
  // "<who>: N more warnings not shown", if any were held back.
  void finish(std::string_view who) {
    if (count_ > max_)
      sink_.warning(std::string(who) + ": " + std::to_string(count_ - max_) +
                    " more warnings not shown");
  }
  uint64_t count() const { return count_; }

 private:
  LogSink& sink_;
  uint64_t max_;
  uint64_t count_ = 0;
};

}  // namespace vmcap
