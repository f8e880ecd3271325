// A StreamSink that compresses what it is given into independent zstd frames of
// frame_bytes each (the last one shorter) and ends with the zstd seekable format's seek
// table (elf/kdump/zstd_seek_table.h), written onto another StreamSink in one pass: the
// flat-zstd core is a FlattenedSink writing raw pages through this sink. Frames are
// compressed on `threads` worker threads and written in order; at most threads + 1 frames
// are alive at once (each frame_bytes in + its compress bound out), whatever the stream's
// length. Every frame records its content size and a content checksum.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "capture/writer/byte_sink.h"
#include "elf/kdump/zstd_seek_table.h"

namespace vmcap {

struct SeekableOptions {
  uint32_t frame_bytes = 4u << 20;
  int level = 0;         // 0: kDefaultLevel
  unsigned threads = 1;  // at least 1
  // scripts/bench-filter.sh on 6.1-big -d 31 (docs/filter.md): level 1 25.55 MB (0.802x makedumpfile -c),
  // 2 25.15 MB (0.789x) at 94% of its speed, 3 24.67 MB (0.774x) at 62%.
  static constexpr int kDefaultLevel = 2;
};

class ZstdSeekableSink final : public StreamSink {
 public:
  ZstdSeekableSink(StreamSink& out, SeekableOptions options);
  ~ZstdSeekableSink() override;
  ZstdSeekableSink(const ZstdSeekableSink&) = delete;
  ZstdSeekableSink& operator=(const ZstdSeekableSink&) = delete;

  Result<void> write(std::span<const std::byte> bytes) override;
  // Compresses the last frame, writes the seek table and finishes the stream below.
  Result<void> finish() override;

  uint64_t content_bytes() const { return content_bytes_; }
  uint64_t compressed_bytes() const { return compressed_bytes_; }  // frames + seek table
  size_t frames() const { return sizes_.size(); }

 private:
  class Workers;
  Result<void> submit();         // the filling frame to the workers
  Result<void> retire_oldest();  // wait for it, write it to out_

  StreamSink& out_;
  SeekableOptions options_;
  std::unique_ptr<Workers> workers_;
  std::vector<zstd_seekable::FrameSizes> sizes_;
  uint64_t content_bytes_ = 0;
  uint64_t compressed_bytes_ = 0;
  bool finished_ = false;
};

}  // namespace vmcap
