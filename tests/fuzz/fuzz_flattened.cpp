// Fuzz target: the input is a flattened stream (makedumpfile -F, QEMU kdump-*): the record
// map is built, then the kdump-compressed file it describes is opened and read.
#include <cstdint>
#include <memory>

#include "tests/fuzz/fuzz_kdump.h"
#include "tests/fuzz/fuzz_memory.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto raw = std::make_shared<vmcap::fuzz::MemoryByteSource>(vmcap::fuzz::bytes_of(data, size));
  auto flat = vmcap::FlattenedByteSource::open(raw);
  if (!flat) return 0;
  std::shared_ptr<const vmcap::ByteSource> logical = std::move(*flat);
  std::byte probe[64];
  (void)logical->read_at(0, probe);
  if (logical->size() >= 64) (void)logical->read_at(logical->size() - 64, probe);
  if (auto dump = vmcap::open_kdump_compressed(logical, "flattened"))
    vmcap::fuzz::exercise_kdump(**dump);
  return 0;
}
