// Fuzz target: the generation-2 decoder (struct printk_log records, 3.5-5.9) through
// decode_kernel_log. Input: u32 log_buf_len | u32 log_first_idx | u32 log_next_idx |
// the buffer (printk_images.h).
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "capture/kernel/vmcoreinfo.h"
#include "capture/printk/log_decoder.h"
#include "tests/fuzz/printk_images.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vmcap::fuzz;
  static const auto info = *vmcap::VmcoreInfo::parse(printk_log_info());
  InputReader in(data, size);
  RegionMemory memory;
  std::vector<std::byte> vars(0x20);
  for (int i = 0; i < 8; ++i) vars[i] = std::byte(kLogBuf >> (8 * i));
  for (uint64_t off : {0x8u, 0x10u, 0x18u}) {
    const uint64_t v = in.u(4);
    for (int i = 0; i < 4; ++i) vars[off + i] = std::byte(v >> (8 * i));
  }
  memory.map(kLogBufVar, std::move(vars));
  memory.map(kLogBuf, in.take(std::min(in.left(), kMaxBuffer)));
  CheckingSink sink;
  auto result = vmcap::decode_kernel_log(info, memory, sink);
  static const bool verbose = std::getenv("VMCAP_FUZZ_VERBOSE");  // see fuzz_ringbuffer.cpp
  if (verbose)
    std::fprintf(stderr, "%s: %s, %llu records\n", "printk_log",
                 result ? "ok" : result.error().message().c_str(),
                 static_cast<unsigned long long>(sink.records));
  return 0;
}
