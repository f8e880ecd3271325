// Where dump writers put their bytes. Writers produce a file as (offset, bytes) pieces;
// a ByteSink turns them into a real file (FileSink) or a flattened stream (FlattenedSink
// over a StreamSink: stdout, a pipe, later an upload). Sinks know bytes, not formats.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "elf/result.h"

namespace vmcap {

// A file written piece by piece at given offsets. Pieces may come in any order but
// never overlap; bytes never written read as zeros. Nothing is final before commit().
class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Result<void> write_at(uint64_t offset, std::span<const std::byte> bytes) = 0;
  // Everything is written: make the result final (durable, under its real name).
  // A sink destroyed without commit() leaves nothing behind under the final name.
  virtual Result<void> commit() = 0;
};

// A strictly sequential byte stream (a file descriptor, an upload body).
class StreamSink {
 public:
  virtual ~StreamSink() = default;
  virtual Result<void> write(std::span<const std::byte> bytes) = 0;
  // The stream is complete (flush, close, wait for the receiver's answer).
  virtual Result<void> finish() = 0;
};

}  // namespace vmcap
