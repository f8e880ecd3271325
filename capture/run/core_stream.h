// The filtered core streamed straight to one destination: write_filtered_core writes a
// flattened kdump (FlattenedSink) into a bounded ByteQueue on a producer thread while
// the destination's put_stream pulls from it, the sha256 computed as the bytes pass.
// Memory stays at the queue plus the writer's batches; nothing touches the local disk.
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

inline constexpr size_t kCoreQueueBytes = 8u << 20;

struct CoreUpload {
  uint64_t size = 0;  // bytes of the flattened stream
  std::string sha256;
  std::string filter_summary;
  std::vector<std::string> warnings;
  WriteStats stats;
};

Result<CoreUpload> stream_core(const Dump& dump, const KernelView* kernel, CoreOptions options,
                               upload::Uploader& uploader, const upload::Artifact& artifact,
                               const upload::Deadline& deadline, Progress& progress);

}  // namespace vmcap::run
