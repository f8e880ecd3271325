// Which of the three kernel log buffer layouts a kernel used, told from VMCOREINFO alone.
#pragma once

#include <string_view>

#include "capture/kernel/vmcoreinfo.h"

namespace vmcap {

enum class PrintkGeneration {
  Unknown,      // VMCOREINFO names no log buffer
  CharRing,     // before 3.5: log_buf, log_end
  Records,      // 3.5 to 5.9: struct printk_log (struct log before 3.11)
  Lockless,     // 5.10 and later: printk_ringbuffer (prb)
};

PrintkGeneration printk_generation(const VmcoreInfo& info);
std::string_view to_string(PrintkGeneration g);

}  // namespace vmcap
