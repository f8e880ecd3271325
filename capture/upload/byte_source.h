// Where an upload's body comes from: pulled in pieces, so a core never has to be whole
// in memory or on disk. A source that can start over (rewind) lets a failed transfer be
// retried whole; one that cannot gets one attempt after its first byte is sent.
#pragma once

#include <cstddef>
#include <cstring>
#include <span>
#include <string_view>

#include "capture/upload/deadline.h"
#include "elf/result.h"

namespace vmcap::upload {

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Up to out.size() bytes into out; 0 at the end. May wait for a producer, never past
  // the deadline.
  virtual Result<size_t> read(std::span<char> out, const Deadline& deadline) = 0;
  // Start again from the first byte; false when the source cannot.
  virtual bool rewind() { return false; }
};

// Bytes already in memory (manifest, dmesg): always rewindable.
class MemorySource final : public ByteSource {
 public:
  explicit MemorySource(std::string_view bytes) : bytes_(bytes) {}
  Result<size_t> read(std::span<char> out, const Deadline&) override {
    size_t n = std::min(out.size(), bytes_.size() - pos_);
    std::memcpy(out.data(), bytes_.data() + pos_, n);
    pos_ += n;
    return n;
  }
  bool rewind() override {
    pos_ = 0;
    return true;
  }
  size_t size() const { return bytes_.size(); }

 private:
  std::string_view bytes_;
  size_t pos_ = 0;
};

}  // namespace vmcap::upload
