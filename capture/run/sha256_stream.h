// SHA-256 of bytes that arrive in pieces (the core as it streams out), through OpenSSL's
// libcrypto like capture/upload/sha256.h. Lower-case hex at the end.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace vmcap::run {

class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;

  void update(std::span<const std::byte> bytes);
  // The digest of everything so far; no more updates after it.
  std::string hex();
  uint64_t bytes() const { return bytes_; }

 private:
  struct State;
  std::unique_ptr<State> state_;
  uint64_t bytes_ = 0;
};

}  // namespace vmcap::run
