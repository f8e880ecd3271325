#include "capture/printk/stream_formatter.h"

namespace vmcap {

void StreamFormatter::warning(const std::string& what) {
  ++warning_count_;
  if (warnings_) *warnings_ << "vmcap: warning: " << what << '\n';
}

void StreamFormatter::emit(const std::string& line) {
  ++records_;
  out_.write(line.data(), static_cast<std::streamsize>(line.size()));
}

}  // namespace vmcap
