// Small pieces the upload tests share: a destination for a URL, a fast retry policy,
// a deterministic large body.
#pragma once

#include <string>

#include "capture/config/config.h"
#include "capture/upload/uploader.h"

namespace vmcap::testing {

inline config::Destination destination(config::DestinationKind kind, const std::string& url) {
  config::Destination d;
  d.name = "test";
  d.kind = kind;
  d.url = url;
  return d;
}

// Quick retries so failure tests take well under a second per retry.
inline upload::TransferPolicy fast_policy(int retries = 2) {
  upload::TransferPolicy p;
  p.retry.retries = retries;
  p.retry.initial_delay = std::chrono::milliseconds(20);
  p.retry.max_delay = std::chrono::milliseconds(100);
  p.connect_timeout = std::chrono::seconds(5);
  return p;
}

// `size` bytes that differ from position to position (catches shifted or repeated blocks).
inline std::string pattern_bytes(size_t size) {
  std::string s(size, '\0');
  uint64_t x = 0x9e3779b97f4a7c15ull;
  for (size_t i = 0; i < size; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    s[i] = static_cast<char>(x);
  }
  return s;
}

}  // namespace vmcap::testing
