// The kernel log of a dump as /dev/kmsg would show it, through the path `vmcap dmesg`
// takes (open_kernel_view, then the printk decoder): what the real-vmcore suites compare
// a core's log with its source's. Header-only: the suites that use it link the translate
// and printk libraries already, vmcap_test_support does not.
#pragma once

#include <sstream>
#include <string>

#include "capture/printk/kmsg_formatter.h"
#include "capture/printk/log_decoder.h"
#include "capture/translate/kernel_view.h"
#include "elf/dump.h"

namespace vmcap::testing {

// The log, or the message of what stopped it (never equal to a real log).
inline std::string kmsg_of(const Dump& d) {
  auto view = open_kernel_view(d);
  if (!view) return view.error().message();
  std::ostringstream out;
  KmsgFormatter f(out);
  auto r = decode_kernel_log(view->info, *view->memory, f);
  if (!r) return r.error().message();
  return out.str();
}

}  // namespace vmcap::testing
