#include "tests/translate/paged_physical_memory.h"

#include <algorithm>
#include <cstring>

namespace vmcap::testing {

const std::vector<PhysRange>& PagedPhysicalMemory::ranges() const {
  if (!ranges_valid_) {
    ranges_.clear();
    for (const auto& [addr, page] : pages_) {
      if (!ranges_.empty() && ranges_.back().end() == addr) ranges_.back().size += kPageSize;
      else ranges_.push_back({addr, kPageSize});
    }
    ranges_valid_ = true;
  }
  return ranges_;
}

Result<void> PagedPhysicalMemory::read(uint64_t paddr, std::span<std::byte> out) const {
  size_t done = 0;
  while (done < out.size()) {
    uint64_t a = paddr + done;
    auto it = pages_.find(a & ~(kPageSize - 1));
    if (it == pages_.end())
      return make_error(ErrorKind::Hole, "paged", a, "physical address not in the dump");
    size_t off = a & (kPageSize - 1);
    size_t n = std::min<size_t>(kPageSize - off, out.size() - done);
    std::memcpy(out.data() + done, it->second.data() + off, n);
    done += n;
  }
  return ok();
}

void PagedPhysicalMemory::write(uint64_t paddr, std::span<const std::byte> bytes) {
  ranges_valid_ = false;
  size_t done = 0;
  while (done < bytes.size()) {
    uint64_t a = paddr + done;
    auto [it, fresh] = pages_.try_emplace(a & ~(kPageSize - 1));
    if (fresh) it->second.fill(std::byte{0});
    size_t off = a & (kPageSize - 1);
    size_t n = std::min<size_t>(kPageSize - off, bytes.size() - done);
    std::memcpy(it->second.data() + off, bytes.data() + done, n);
    done += n;
  }
}

void PagedPhysicalMemory::write(uint64_t paddr, std::string_view bytes) {
  write(paddr, std::as_bytes(std::span(bytes.data(), bytes.size())));
}

void PagedPhysicalMemory::write_u64(uint64_t paddr, uint64_t v) {
  write(paddr, std::as_bytes(std::span(&v, 1)));
}
void PagedPhysicalMemory::write_u32(uint64_t paddr, uint32_t v) {
  write(paddr, std::as_bytes(std::span(&v, 1)));
}
void PagedPhysicalMemory::write_u16(uint64_t paddr, uint16_t v) {
  write(paddr, std::as_bytes(std::span(&v, 1)));
}

void PagedPhysicalMemory::drop_page(uint64_t paddr) {
  pages_.erase(paddr & ~(kPageSize - 1));
  ranges_valid_ = false;
}

}  // namespace vmcap::testing
