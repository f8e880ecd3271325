// Fuzz target: /run/vmcap/armed.json, what `vmcap arm` recorded (a crash or a full disk can
// leave it cut or garbled). parse_arm_record must refuse anything it cannot read with an
// error naming the file, and what it accepts must render and parse back to the same record.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "arm/load/arm_record.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vmcap::arm;
  const std::string text(reinterpret_cast<const char*>(data), size);
  auto r = parse_arm_record(text, "armed.json");
  if (!r) {
    if (r.error().file != "armed.json") std::abort();
    return 0;
  }
  auto again = parse_arm_record(render_arm_record(*r), "armed.json");
  if (!again || render_arm_record(*again) != render_arm_record(*r)) std::abort();
  return 0;
}
