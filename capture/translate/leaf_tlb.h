// The last few leaf translations of a page-table walk (base, size, physical base), least
// recently used out, so reading a multi-MiB region walks the tables once per leaf.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "capture/translate/translation.h"

namespace vmcap {

class LeafTlb {
 public:
  static constexpr size_t kEntries = 16;

  LeafTlb() { entries_.reserve(kEntries); }

  std::optional<Translation> find(uint64_t vaddr) {
    ++clock_;
    for (auto& e : entries_) {
      if (vaddr - e.vbase < e.size) {
        e.last_use = clock_;
        const uint64_t off = vaddr - e.vbase;
        return Translation{e.pbase + off, e.size - off};
      }
    }
    return std::nullopt;
  }

  // `size` is a power of two; vbase and pbase are aligned to it.
  void insert(uint64_t vbase, uint64_t size, uint64_t pbase) {
    Entry fresh{vbase, size, pbase, clock_};
    if (entries_.size() < kEntries) {
      entries_.push_back(fresh);
      return;
    }
    *std::min_element(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
      return a.last_use < b.last_use;
    }) = fresh;
  }

 private:
  struct Entry {
    uint64_t vbase = 0, size = 0, pbase = 0, last_use = 0;
  };
  std::vector<Entry> entries_;
  uint64_t clock_ = 0;
};

}  // namespace vmcap
