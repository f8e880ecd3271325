// Fuzz target: the input is a flat-zstd file (vmcap filter --format flat-zstd): the zstd
// seek table is decoded, frames are decompressed as reads touch them, the flattened stream
// they hold is mapped, and the kdump-compressed file it describes is opened and read.
#include <cstdint>
#include <memory>

#include "elf/kdump/zstd_seekable_source.h"
#include "tests/fuzz/fuzz_kdump.h"
#include "tests/fuzz/fuzz_memory.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto raw = std::make_shared<vmcap::fuzz::MemoryByteSource>(vmcap::fuzz::bytes_of(data, size));
  auto seekable = vmcap::ZstdSeekableByteSource::open(raw);
  if (!seekable) return 0;
  std::shared_ptr<const vmcap::ByteSource> content = std::move(*seekable);
  std::byte probe[64];
  (void)content->read_at(0, probe);
  if (content->size() >= 64) {
    (void)content->read_at(content->size() / 2 - 32, probe);
    (void)content->read_at(content->size() - 64, probe);
  }
  auto flat = vmcap::FlattenedByteSource::open(content);
  if (!flat) return 0;
  std::shared_ptr<const vmcap::ByteSource> logical = std::move(*flat);
  if (auto dump = vmcap::open_kdump_compressed(logical, "flat-zstd"))
    vmcap::fuzz::exercise_kdump(**dump);
  return 0;
}
