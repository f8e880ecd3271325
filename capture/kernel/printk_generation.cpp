#include "capture/kernel/printk_generation.h"

namespace vmcap {

PrintkGeneration printk_generation(const VmcoreInfo& info) {
  if (info.symbol("prb")) return PrintkGeneration::Lockless;
  if (info.symbol("log_buf") && (info.size("printk_log") || info.size("log")))
    return PrintkGeneration::Records;
  if (info.symbol("log_buf") && info.symbol("log_end")) return PrintkGeneration::CharRing;
  return PrintkGeneration::Unknown;
}

std::string_view to_string(PrintkGeneration g) {
  switch (g) {
    case PrintkGeneration::CharRing: return "char-ring";
    case PrintkGeneration::Records: return "printk_log";
    case PrintkGeneration::Lockless: return "printk_ringbuffer";
    case PrintkGeneration::Unknown: break;
  }
  return "unknown";
}

}  // namespace vmcap
