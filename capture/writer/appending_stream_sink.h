// A StreamSink that appends to a ByteSink: a flattened stream written to a file goes
// through FileSink's temporary name and rename like any other dump. finish() commits.
#pragma once

#include "capture/writer/byte_sink.h"

namespace vmcap {

class AppendingStreamSink final : public StreamSink {
 public:
  explicit AppendingStreamSink(ByteSink& sink) : sink_(sink) {}
  Result<void> write(std::span<const std::byte> bytes) override {
    VMCAP_CHECK(sink_.write_at(position_, bytes));
    position_ += bytes.size();
    return ok();
  }
  Result<void> finish() override { return sink_.commit(); }
  uint64_t position() const { return position_; }

 private:
  ByteSink& sink_;
  uint64_t position_ = 0;
};

}  // namespace vmcap
