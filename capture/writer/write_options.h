// What every dump writer takes and returns besides its bytes.
#pragma once

#include <cstdint>
#include <functional>

#include "capture/writer/page_compressor.h"

namespace vmcap {

struct WriteProgress {
  uint64_t pages_done = 0;
  uint64_t pages_total = 0;
  uint64_t bytes_out = 0;  // file bytes written so far
};

struct WriteOptions {
  Compression compression = Compression::Zstd;
  int level = 0;               // 0: default_compression_level(compression)
  unsigned threads = 0;        // 0: all CPUs
  uint32_t batch_pages = 256;  // pages read and compressed as one unit (1 MiB of 4 KiB pages)
  uint64_t memory_budget = 24ull << 20;  // page batches alive at once (batches shrink to fit)
  // Called on the writing thread after each batch (progress bars, ETA).
  std::function<void(const WriteProgress&)> progress;
};

struct WriteStats {
  uint64_t pages = 0;             // pages the output holds (2nd bitmap / PT_LOAD pages)
  uint64_t compressed_pages = 0;  // stored compressed
  uint64_t raw_pages = 0;         // stored as they are (compression did not shrink them)
  uint64_t zero_pages = 0;        // all-zero, sharing one stored zero page
  uint64_t lost_pages = 0;        // could not be read from the source (incomplete dump)
  uint64_t bytes_in = 0;          // page bytes read from the source
  uint64_t file_bytes = 0;        // size of the file the pieces make (a flattened stream is
                                  // longer: FlattenedSink::stream_bytes())
};

// threads == 0 means every CPU.
unsigned effective_threads(unsigned threads);

}  // namespace vmcap
