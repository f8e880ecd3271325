// The filtered core streamed straight to one destination: write_filtered_core writes a
// flattened kdump (FlattenedSink) into a bounded ByteQueue on a producer thread while
// the destination's put_stream pulls from it, the sha256 computed as the bytes pass.
// Memory stays at the queue (queue_bytes) plus the writer's batches
// (options.write.memory_budget); nothing touches the local disk.
// `kernel` may be null only with dump_level 0.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "capture/core/filtered_core.h"
#include "capture/run/progress.h"
#include "capture/translate/kernel_view.h"
#include "capture/upload/uploader.h"
#include "elf/dump.h"

namespace vmcap::run {

struct CoreUpload {
  uint64_t size = 0;  // bytes of the flattened stream
  std::string sha256;
  std::string filter_summary;
  std::vector<std::string> warnings;
  WriteStats stats;
};

Result<CoreUpload> stream_core(const Dump& dump, const KernelView* kernel, CoreOptions options,
                               upload::Uploader& uploader, const upload::Artifact& artifact,
                               const upload::Deadline& deadline, Progress& progress, uint64_t queue_bytes);

}  // namespace vmcap::run
