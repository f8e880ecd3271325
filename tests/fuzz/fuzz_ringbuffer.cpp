// Fuzz target: the 5.10+ lockless ringbuffer decoder, through decode_kernel_log, on a
// kernel image whose printk_ringbuffer struct and three arrays are the input (layout in
// printk_images.h). Checks the decoder's promises: records in seq order, text no longer
// than the data ring.
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "capture/printk/log_decoder.h"
#include "capture/printk/ringbuffer_decoder.h"
#include "tests/fuzz/printk_images.h"
#include "tests/printk/synthetic_ringbuffer.h"

using vmcap::testing::SyntheticRingbuffer;

namespace {

struct OrderSink final : vmcap::LogSink {
  void record(const vmcap::LogRecord& r) override {
    if (count && r.seq <= last_seq) __builtin_trap();
    if (r.text.size() > vmcap::fuzz::kDataSize) __builtin_trap();
    if (r.level > 7) __builtin_trap();
    last_seq = r.seq;
    ++count;
  }
  void warning(const std::string&) override {}
  uint64_t last_seq = 0, count = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vmcap::fuzz;
  static const auto info = [] {
    SyntheticRingbuffer ring(vmcap::testing::PrbOffsets::v6_1(), kCountBits, kSizeBits);
    return *vmcap::VmcoreInfo::parse(ring.vmcoreinfo());
  }();
  InputReader in(data, size);
  RegionMemory memory;
  std::vector<std::byte> prb_var(8);
  for (int i = 0; i < 8; ++i)
    prb_var[i] = std::byte(SyntheticRingbuffer::kPrb >> (8 * i));
  memory.map(SyntheticRingbuffer::kPrbSymbol, std::move(prb_var));
  memory.map(SyntheticRingbuffer::kPrb, in.take(kRbSize));
  memory.map(SyntheticRingbuffer::kDescs, in.take(kCount * kDescSize));
  memory.map(SyntheticRingbuffer::kInfos, in.take(kCount * kInfoSize));
  memory.map(SyntheticRingbuffer::kData, in.take(kDataSize));
  OrderSink sink;
  vmcap::RingbufferOptions options;
  options.max_record_warnings = 4;
  auto stats = vmcap::decode_ringbuffer(info, memory, sink, options);
  if (stats && stats->records != sink.count) __builtin_trap();
  // VMCAP_FUZZ_VERBOSE=1: what one input decodes to (to check that seeds reach records).
  static const bool verbose = std::getenv("VMCAP_FUZZ_VERBOSE");
  if (verbose)
    std::fprintf(stderr, "ringbuffer: %s, %llu records\n", stats ? "ok" : stats.error().message().c_str(),
                 static_cast<unsigned long long>(sink.count));
  OrderSink sink2;
  (void)vmcap::decode_kernel_log(info, memory, sink2);
  return 0;
}
