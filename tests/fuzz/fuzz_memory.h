// Fuzz support: kernel virtual memory made of a few byte regions (the harness decides
// where the fuzz input lands), and a ByteSource over bytes in memory, so targets need no
// page tables and no files.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "capture/printk/log_record.h"
#include "capture/translate/virtual_memory.h"
#include "elf/kdump/byte_source.h"

namespace vmcap::fuzz {

// Regions must not overlap; a read that leaves every region fails with Hole at the first
// byte outside, the way a dump without that page does.
class RegionMemory final : public VirtualMemory {
 public:
  void map(uint64_t vaddr, std::vector<std::byte> bytes) { regions_[vaddr] = std::move(bytes); }

  Result<void> read(uint64_t vaddr, std::span<std::byte> out) const override {
    size_t done = 0;
    while (done < out.size()) {
      const uint64_t a = vaddr + done;
      if (a < vaddr) return hole(a);  // wrapped around the address space
      auto it = regions_.upper_bound(a);
      if (it == regions_.begin()) return hole(a);
      --it;
      const uint64_t off = a - it->first;
      if (off >= it->second.size()) return hole(a);
      const size_t n = std::min<uint64_t>(out.size() - done, it->second.size() - off);
      std::memcpy(out.data() + done, it->second.data() + off, n);
      done += n;
    }
    return ok();
  }

 private:
  static Error hole(uint64_t a) {
    return make_error(ErrorKind::Hole, {}, a, "address not in the fuzz image");
  }
  std::map<uint64_t, std::vector<std::byte>> regions_;
};

class MemoryByteSource final : public ByteSource {
 public:
  explicit MemoryByteSource(std::vector<std::byte> bytes) : bytes_(std::move(bytes)) {}
  Result<void> read_at(uint64_t offset, std::span<std::byte> out) const override {
    if (!contains(offset, out.size()))
      return make_error(ErrorKind::Truncated, path_, offset, "past the end of the fuzz input");
    if (!out.empty()) std::memcpy(out.data(), bytes_.data() + offset, out.size());
    return ok();
  }
  uint64_t size() const override { return bytes_.size(); }
  const std::string& path() const override { return path_; }

 private:
  std::vector<std::byte> bytes_;
  std::string path_ = "fuzz-input";
};

// Keeps what decoders send and checks what every decoder promises.
class CheckingSink final : public LogSink {
 public:
  void record(const LogRecord& r) override {
    ++records;
    text_bytes += r.text.size();
    if (r.level > 7) __builtin_trap();  // level is 3 bits in every generation
  }
  void warning(const std::string&) override { ++warnings; }
  uint64_t records = 0, warnings = 0, text_bytes = 0;
};

inline std::vector<std::byte> bytes_of(const uint8_t* data, size_t size) {
  std::vector<std::byte> v(size);
  if (size) std::memcpy(v.data(), data, size);
  return v;
}

// Consumes the input front to back; past the end it yields zeros.
class InputReader {
 public:
  InputReader(const uint8_t* data, size_t size) : p_(data), n_(size) {}
  uint64_t u(unsigned width) {
    uint64_t v = 0;
    for (unsigned i = 0; i < width; ++i) v |= uint64_t(byte()) << (8 * i);
    return v;
  }
  uint8_t byte() { return n_ ? (--n_, *p_++) : 0; }
  std::vector<std::byte> take(size_t want) {
    const size_t n = std::min(want, n_);
    auto v = bytes_of(p_, n);
    v.resize(want);
    p_ += n, n_ -= n;
    return v;
  }
  std::vector<std::byte> rest() { return take(n_); }
  size_t left() const { return n_; }

 private:
  const uint8_t* p_;
  size_t n_;
};

}  // namespace vmcap::fuzz
