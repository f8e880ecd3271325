// Reads and compresses the pages of a PfnBitmap on a pool of worker threads and hands
// them back in pfn order. The caller's thread fills batches of batch_pages pfns; workers
// read each batch (large runs through PageReader) and compress each page alone; the
// caller consumes the batches strictly in order. At most threads + 2 batches are alive
// at once, each 2 * batch_pages * page_size bytes (pages in, compressed out); batches
// shrink (to no fewer than 16 pages) so that all of them fit memory_budget, whatever the
// dump's size and the CPU count. Output does not depend on the number of threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <vector>

#include "capture/pages/pfn_bitmap.h"
#include "capture/writer/page_compressor.h"
#include "elf/physical_memory.h"
#include "elf/result.h"

namespace vmcap {

struct PipelineOptions {
  Compression method = Compression::Zstd;
  int level = 0;            // 0: default_compression_level(method)
  unsigned threads = 1;     // worker threads, at least 1
  uint32_t batch_pages = 256;
  uint32_t page_size = 4096;
  uint64_t memory_budget = 24ull << 20;  // batches alive at once, in bytes
};

struct PageOutcome {
  enum class Kind : uint8_t { Stored, Zero, Lost };
  Kind kind = Kind::Stored;
  uint32_t flags = 0;  // compression flag of a stored page (0 = raw)
  uint32_t size = 0;   // bytes of a stored page in PageBatch::data
};

struct PageBatch {
  uint64_t first_index = 0;         // position of pfns[0] among all pages of the bitmap
  std::vector<uint64_t> pfns;       // increasing
  std::vector<PageOutcome> pages;   // one per pfn
  std::vector<std::byte> data;      // stored pages back to back, data_size bytes used
  size_t data_size = 0;
  // Worker scratch.
  std::vector<std::byte> raw;
  std::vector<uint8_t> lost;
};

// Calls consume(batch) for every batch, in pfn order, on the calling thread. Stops at
// the first error consume returns (workers are joined before returning).
Result<void> compress_pages(const PhysicalMemory& memory, const PfnBitmap& pages,
                            const PipelineOptions& options,
                            const std::function<Result<void>(const PageBatch&)>& consume);

// Whether a buffer is all zero bytes.
bool all_zero(std::span<const std::byte> bytes);

}  // namespace vmcap
