// Physical memory that forwards reads and remembers every page they touch: what a real
// decode or filter run reads is what a small dump derived from a real one must hold.
#pragma once

#include <cstdint>
#include <set>
#include <span>
#include <vector>

#include "elf/physical_memory.h"

namespace vmcap::testing {

class RecordingMemory final : public PhysicalMemory {
 public:
  static constexpr uint64_t kPage = 4096;
  explicit RecordingMemory(const PhysicalMemory& inner) : inner_(inner) {}
  const std::vector<PhysRange>& ranges() const override { return inner_.ranges(); }
  Result<void> read(uint64_t paddr, std::span<std::byte> out) const override {
    if (!out.empty())
      for (uint64_t p = paddr & ~(kPage - 1); p < paddr + out.size(); p += kPage) pages.insert(p);
    return inner_.read(paddr, out);
  }
  mutable std::set<uint64_t> pages;

 private:
  const PhysicalMemory& inner_;
};

}  // namespace vmcap::testing
