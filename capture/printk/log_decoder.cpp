#include "capture/printk/log_decoder.h"

#include "capture/printk/char_ring_decoder.h"
#include "capture/printk/printk_log_decoder.h"
#include "capture/printk/ringbuffer_decoder.h"

namespace vmcap {

Result<PrintkGeneration> decode_kernel_log(const VmcoreInfo& info, const VirtualMemory& memory,
                                           LogSink& sink) {
  const PrintkGeneration g = printk_generation(info);
  switch (g) {
    case PrintkGeneration::Lockless:
      VMCAP_CHECK(decode_ringbuffer(info, memory, sink));
      return g;
    case PrintkGeneration::Records:
      VMCAP_CHECK(decode_printk_log(info, memory, sink));
      return g;
    case PrintkGeneration::CharRing:
      VMCAP_CHECK(decode_char_ring(info, memory, sink));
      return g;
    case PrintkGeneration::Unknown:
      break;
  }
  return make_error(ErrorKind::Missing, {}, std::nullopt,
                    "VMCOREINFO names no kernel log buffer (neither SYMBOL(prb) nor "
                    "SYMBOL(log_buf) with SIZE(printk_log) or SYMBOL(log_end))");
}

}  // namespace vmcap
