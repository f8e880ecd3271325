// A StreamSink onto a file descriptor the caller owns (stdout, a pipe, a socket): full
// writes, retried on EINTR; finish() fsyncs when the descriptor is a regular file.
#pragma once

#include <string>

#include "capture/writer/byte_sink.h"

namespace vmcap {

class FdStreamSink final : public StreamSink {
 public:
  // name is only for messages ("stdout", the path).
  FdStreamSink(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
  Result<void> write(std::span<const std::byte> bytes) override;
  Result<void> finish() override;
  uint64_t bytes_written() const { return written_; }

 private:
  int fd_;
  std::string name_;
  uint64_t written_ = 0;
};

}  // namespace vmcap
