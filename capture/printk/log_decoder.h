// The one entry point for the kernel log: tells the printk generation from VMCOREINFO
// (capture/kernel/printk_generation.h) and runs its decoder.
//   SYMBOL(prb)                               -> lockless printk_ringbuffer (5.10+)
//   SYMBOL(log_buf) + SIZE(printk_log|log)    -> printk_log records (3.5 - 5.9)
//   SYMBOL(log_buf) + SYMBOL(log_end)         -> character ring (before 3.5)
#pragma once

#include "capture/kernel/printk_generation.h"
#include "capture/kernel/vmcoreinfo.h"
#include "capture/printk/log_record.h"
#include "capture/translate/virtual_memory.h"
#include "elf/result.h"

namespace vmcap {

// A Missing error when VMCOREINFO names no log buffer at all.
Result<PrintkGeneration> decode_kernel_log(const VmcoreInfo& info, const VirtualMemory& memory,
                                           LogSink& sink);

}  // namespace vmcap
