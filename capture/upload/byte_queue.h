// A bounded pipe between a producer thread (the dump writer: write()/finish(), the same
// shape as capture/writer's StreamSink) and an upload pulling the bytes (ByteSource).
// At most `capacity` bytes wait in it, so a core streams with bounded memory.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <span>
#include <string>

#include "capture/upload/byte_source.h"

namespace vmcap::upload {

class ByteQueue final : public ByteSource {
 public:
  explicit ByteQueue(size_t capacity);

  // Producer side. write() blocks while the queue is full; it fails once the consumer
  // has abandoned the queue (the upload failed), so the producer stops early.
  Result<void> write(std::span<const std::byte> bytes);
  Result<void> finish();                 // no more bytes: the reader sees the end
  void fail(std::string reason);         // the producer broke: the reader gets an error

  // Consumer side.
  Result<size_t> read(std::span<char> out, const Deadline& deadline) override;
  void abandon(std::string reason);      // the upload gave up: unblock and fail the producer

  uint64_t bytes_written() const;

 private:
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::deque<char> buf_;
  size_t capacity_;
  bool finished_ = false;
  std::optional<std::string> producer_error_;
  std::optional<std::string> consumer_gone_;
  uint64_t written_ = 0;
};

}  // namespace vmcap::upload
