// The content of a zstd seekable file (elf/kdump/zstd_seek_table.h) read in place: a read
// decompresses only the frames it touches, and the last few frames stay decompressed in a
// small cache (sequential scans and page-by-page reads hit it). Every frame is checked
// before its bytes are used: exactly one zstd frame of the table's compressed size, whose
// header and output give the table's content size, its checksum (when present) verified.
// Safe to read from several threads (the page pipeline's workers).
#pragma once

#include <list>
#include <memory>
#include <mutex>
#include <vector>

#include "elf/kdump/byte_source.h"
#include "elf/kdump/zstd_seek_table.h"

namespace vmcap {

class ZstdSeekableByteSource final : public ByteSource {
 public:
  static constexpr size_t kCachedFrames = 4;

  static Result<std::unique_ptr<ZstdSeekableByteSource>> open(std::shared_ptr<const ByteSource> file);
  // Whether the first bytes are a zstd frame's magic (28 b5 2f fd).
  static bool has_signature(std::span<const std::byte> head);

  Result<void> read_at(uint64_t offset, std::span<std::byte> out) const override;
  uint64_t size() const override { return table_.content_size; }
  const std::string& path() const override { return file_->path(); }

  const zstd_seekable::SeekTable& table() const { return table_; }
  // Frames decompressed so far (tests: a read touches only its frames).
  uint64_t frames_decompressed() const;

 private:
  using FrameBytes = std::shared_ptr<const std::vector<std::byte>>;
  ZstdSeekableByteSource(std::shared_ptr<const ByteSource> file, zstd_seekable::SeekTable table)
      : file_(std::move(file)), table_(std::move(table)) {}
  Result<FrameBytes> frame(size_t index) const;
  Result<FrameBytes> decompress(size_t index) const;

  std::shared_ptr<const ByteSource> file_;
  zstd_seekable::SeekTable table_;
  mutable std::mutex mutex_;
  mutable std::list<std::pair<size_t, FrameBytes>> cache_;  // most recent first
  mutable uint64_t decompressed_ = 0;
};

}  // namespace vmcap
