// The filtered core streamed straight to one destination: write_filtered_core writes a
// flattened kdump (FlattenedSink) into a bounded ByteQueue on a producer thread while
// the destination's put_stream pulls from it, the sha256 computed as the bytes pass.
// With `frames` (core_format = flat-zstd) the flattened stream, its pages raw, goes through
// a ZstdSeekableSink first: what is queued, hashed and counted are its frames and seek table.
// Memory stays at the queue (queue_bytes) plus the writer's batches
// (options.write.memory_budget) and the frames; nothing touches the local disk.
// `kernel` may be null only with dump_level 0.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "capture/core/filtered_core.h"
#include "capture/run/progress.h"
#include "capture/translate/kernel_view.h"
#include "capture/upload/uploader.h"
#include "capture/writer/zstd_seekable_sink.h"
#include "elf/dump.h"

namespace vmcap::run {

struct CoreUpload {
  uint64_t size = 0;  // bytes uploaded: the flattened stream, or its zstd frames and seek table
  uint64_t content_bytes = 0;  // the flattened stream's bytes (flat-zstd: before the frames)
  std::string sha256;
  std::string filter_summary;
  std::vector<std::string> warnings;
  WriteStats stats;
};

Result<CoreUpload> stream_core(const Dump& dump, const KernelView* kernel, CoreOptions options,
                               upload::Uploader& uploader, const upload::Artifact& artifact,
                               const upload::Deadline& deadline, Progress& progress, uint64_t queue_bytes,
                               std::optional<SeekableOptions> frames = std::nullopt);

}  // namespace vmcap::run
