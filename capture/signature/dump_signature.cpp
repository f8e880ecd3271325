#include "capture/signature/dump_signature.h"

#include "capture/printk/log_decoder.h"
#include "elf/crashing_cpu.h"
#include "elf/prstatus.h"

namespace vmcap {

Result<CrashSignature> signature_of_dump(const Dump& dump, const KernelView& view) {
  LogTail tail;
  std::optional<std::string> log_error;
  if (!view.memory) log_error = "no virtual memory view: the log was not read";
  else if (auto gen = decode_kernel_log(view.info, *view.memory, tail); !gen) log_error = gen.error().message();
  return signature_from_log_tail(dump, view, tail, log_error);
}

CrashSignature signature_from_log_tail(const Dump& dump, const KernelView& view, const LogTail& tail,
                                       const std::optional<std::string>& log_error) {
  std::vector<std::string> warnings;
  if (log_error) warnings.push_back(view.memory ? "kernel log: " + *log_error : *log_error);
  if (tail.warnings() > 0)
    warnings.push_back("kernel log: " + std::to_string(tail.warnings()) + " damaged or lost records");

  std::optional<uint64_t> pc;
  auto cpus = read_cpu_states(dump);
  if (auto c = choose_crashing_cpu(cpus.cpus)) pc = cpus.cpus[c->index].pc;
  else warnings.push_back("no CPU notes: the crashing pc is unknown");

  std::optional<Kallsyms> kallsyms;
  if (view.memory) {
    if (auto k = Kallsyms::load(view.info, *view.memory)) kallsyms = std::move(*k);
    else warnings.push_back("kallsyms: " + k.error().message());
  }

  CrashSignature sig = compute_crash_signature(tail.lines(), pc, kallsyms ? &*kallsyms : nullptr);
  sig.warnings.insert(sig.warnings.begin(), warnings.begin(), warnings.end());
  return sig;
}

}  // namespace vmcap
