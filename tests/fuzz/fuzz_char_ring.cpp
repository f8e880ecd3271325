// Fuzz target: the generation-3 decoder (character ring, before 3.5) through
// decode_kernel_log. Input: u32 log_end | u32 log_buf_len | the buffer (printk_images.h).
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "capture/kernel/vmcoreinfo.h"
#include "capture/printk/char_ring_decoder.h"
#include "capture/printk/log_decoder.h"
#include "tests/fuzz/printk_images.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vmcap::fuzz;
  static const auto info = *vmcap::VmcoreInfo::parse(char_ring_info());
  InputReader in(data, size);
  RegionMemory memory;
  std::vector<std::byte> vars(0x28);
  for (int i = 0; i < 8; ++i) vars[i] = std::byte(kLogBuf >> (8 * i));
  const uint64_t log_end = in.u(4), len = in.u(4);
  for (int i = 0; i < 4; ++i) {
    vars[0x20 + i] = std::byte(log_end >> (8 * i));  // kLogEndVar
    vars[0x08 + i] = std::byte(len >> (8 * i));      // kLogBufLenVar
  }
  memory.map(kLogBufVar, std::move(vars));
  memory.map(kLogBuf, in.take(std::min(in.left(), kMaxBuffer)));
  struct Sink final : vmcap::LogSink {
    void record(const vmcap::LogRecord& r) override {
      if (r.level > 7) __builtin_trap();
      (void)vmcap::char_ring_line(r);
      ++records;
    }
    void warning(const std::string&) override {}
    uint64_t records = 0;
  } sink;
  auto result = vmcap::decode_kernel_log(info, memory, sink);
  static const bool verbose = std::getenv("VMCAP_FUZZ_VERBOSE");  // see fuzz_ringbuffer.cpp
  if (verbose)
    std::fprintf(stderr, "%s: %s, %llu records\n", "char_ring",
                 result ? "ok" : result.error().message().c_str(),
                 static_cast<unsigned long long>(sink.records));
  return 0;
}
