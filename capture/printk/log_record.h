// One kernel log record as the kernel kept it, whatever printk generation stored it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace vmcap {

struct LogRecord {
  uint64_t seq = 0;          // sequence number (generations 1-2: counted from the oldest kept)
  uint64_t ts_nsec = 0;      // local_clock() at log time
  uint8_t level = 6;         // 0..7 (LOGLEVEL_*)
  uint8_t facility = 0;      // 0 kernel, 1 user, ...
  uint8_t flags = 0;         // LOG_NEWLINE 2, LOG_CONT 8 (kernel's enum log_flags)
  std::optional<uint32_t> caller_id;  // CONFIG_PRINTK_CALLER: 0x80000000|cpu, or a pid
  std::string text;          // raw bytes, not escaped, no trailing newline added
  std::string subsystem;     // dev_printk_info.subsystem / dict SUBSYSTEM=
  std::string device;        // dev_printk_info.device / dict DEVICE=
  bool level_known = true;   // false where the generation stores none (character ring)
};

// Where decoders send what they find: records in log order, and a warning for each
// corrupt or lost piece (the decoder goes on with the next intact record).
class LogSink {
 public:
  virtual ~LogSink() = default;
  virtual void record(const LogRecord& r) = 0;
  virtual void warning(const std::string& what) = 0;
};

}  // namespace vmcap
