#include "capture/signature/log_tail.h"

namespace vmcap {
namespace {
constexpr uint8_t kLogCont = 8;  // the kernel's LOG_CONT: continues the previous record
}  // namespace

void LogTail::record(const LogRecord& r) {
  size_t start = 0;
  bool first = true;
  while (start <= r.text.size()) {
    size_t nl = r.text.find('\n', start);
    std::string line = r.text.substr(start, nl == std::string::npos ? std::string::npos : nl - start);
    if (first && (r.flags & kLogCont) && !lines_.empty()) lines_.back() += line;
    else push(std::move(line));
    first = false;
    if (nl == std::string::npos) break;
    start = nl + 1;
  }
}

void LogTail::push(std::string line) {
  lines_.push_back(std::move(line));
  if (lines_.size() > kSignatureLogRecords) lines_.pop_front();
}

}  // namespace vmcap
