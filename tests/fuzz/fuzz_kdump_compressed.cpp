// Fuzz target: the input is a kdump-compressed file (makedumpfile's diskdump layout),
// read from memory through a ByteSource.
#include <cstdint>
#include <memory>

#include "tests/fuzz/fuzz_kdump.h"
#include "tests/fuzz/fuzz_memory.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto source = std::make_shared<vmcap::fuzz::MemoryByteSource>(vmcap::fuzz::bytes_of(data, size));
  if (auto dump = vmcap::open_kdump_compressed(source, "kdump-compressed"))
    vmcap::fuzz::exercise_kdump(**dump);
  return 0;
}
