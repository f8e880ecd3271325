#include "capture/signature/dump_signature.h"

#include <deque>

#include "capture/printk/log_decoder.h"
#include "elf/crashing_cpu.h"
#include "elf/prstatus.h"

namespace vmcap {
namespace {

constexpr uint8_t kLogCont = 8;  // the kernel's LOG_CONT: continues the previous record

// Keeps the texts of the last kSignatureLogRecords records, one entry per line.
class TailSink : public LogSink {
 public:
  void record(const LogRecord& r) override {
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
  void warning(const std::string&) override { ++warnings_; }

  std::vector<std::string> lines() const { return {lines_.begin(), lines_.end()}; }
  size_t warnings() const { return warnings_; }

 private:
  void push(std::string line) {
    lines_.push_back(std::move(line));
    if (lines_.size() > kSignatureLogRecords) lines_.pop_front();
  }
  std::deque<std::string> lines_;
  size_t warnings_ = 0;
};

}  // namespace

Result<CrashSignature> signature_of_dump(const Dump& dump, const KernelView& view) {
  std::vector<std::string> warnings;

  TailSink sink;
  if (!view.memory) {
    warnings.push_back("no virtual memory view: the log was not read");
  } else if (auto gen = decode_kernel_log(view.info, *view.memory, sink); !gen) {
    warnings.push_back("kernel log: " + gen.error().message());
  }
  if (sink.warnings() > 0)
    warnings.push_back("kernel log: " + std::to_string(sink.warnings()) + " damaged or lost records");

  std::optional<uint64_t> pc;
  auto cpus = read_cpu_states(dump);
  if (auto c = choose_crashing_cpu(cpus.cpus)) pc = cpus.cpus[c->index].pc;
  else warnings.push_back("no CPU notes: the crashing pc is unknown");

  std::optional<Kallsyms> kallsyms;
  if (view.memory) {
    if (auto k = Kallsyms::load(view.info, *view.memory)) kallsyms = std::move(*k);
    else warnings.push_back("kallsyms: " + k.error().message());
  }

  CrashSignature sig = compute_crash_signature(sink.lines(), pc, kallsyms ? &*kallsyms : nullptr);
  sig.warnings.insert(sig.warnings.begin(), warnings.begin(), warnings.end());
  return sig;
}

}  // namespace vmcap
