// A ByteSink that emits makedumpfile's flattened format (makedumpfile -F) onto a
// StreamSink, strictly sequentially: a 4096-byte header ("makedumpfile", type 1,
// version 1, big-endian), then {int64 offset; int64 size} big-endian records each
// followed by its bytes, and the {-1, -1} end marker on commit(). Pieces written back to
// back are merged into one record up to kMaxRecordBytes; memory stays at one record.
// `makedumpfile -R out < stream` rebuilds the file the pieces describe.
#pragma once

#include <vector>

#include "capture/writer/byte_sink.h"

namespace vmcap {

class FlattenedSink final : public ByteSink {
 public:
  static constexpr size_t kHeaderBytes = 4096;
  static constexpr size_t kMaxRecordBytes = 1u << 20;

  explicit FlattenedSink(StreamSink& out) : out_(out) {}
  Result<void> write_at(uint64_t offset, std::span<const std::byte> bytes) override;
  Result<void> commit() override;

  uint64_t records() const { return records_; }
  // Bytes handed to the stream: header, record headers, data and end marker. This, not the
  // size of the file the records describe, is what a flattened output is long.
  uint64_t stream_bytes() const { return stream_bytes_; }

 private:
  Result<void> flush();
  Result<void> emit_record(uint64_t offset, std::span<const std::byte> bytes);
  Result<void> put(std::span<const std::byte> bytes);  // out_.write, counted

  StreamSink& out_;
  bool header_written_ = false;
  bool committed_ = false;
  uint64_t pending_offset_ = 0;
  std::vector<std::byte> pending_;
  uint64_t records_ = 0;
  uint64_t stream_bytes_ = 0;
};

}  // namespace vmcap
