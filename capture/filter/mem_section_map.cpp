#include "capture/filter/mem_section_map.h"

#include <array>
#include <bit>
#include <cstring>
#include <sstream>

namespace vmcap {
namespace {

// SECTION_MARKED_PRESENT | SECTION_HAS_MEM_MAP; the map itself is at least 64-byte
// aligned, so the low 6 bits (SECTION_MAP_LAST_BIT is at most 1 << 6 up to 6.12) are flags.
constexpr uint64_t kSectionPresent = 1, kSectionHasMemMap = 2, kSectionFlagMask = 0x3f;

std::string hex(uint64_t v) {
  std::ostringstream o;
  o << "0x" << std::hex << v;
  return o.str();
}

}  // namespace

MemSectionMap::MemSectionMap(const VmcoreInfo& info, const SparsememNumbers& sparsemem,
                             const VirtualMemory& memory, uint64_t struct_page_size,
                             std::vector<SkippedRule>& skipped)
    : memory_(memory), struct_page_size_(struct_page_size) {
  const char* rule = "every struct page rule (no mem_map)";
  auto sym = info.symbol("mem_section");
  auto length = info.length("mem_section");
  auto esize = info.size("mem_section");
  auto off = info.offset("mem_section.section_mem_map");
  auto sbits = sparsemem.section_size_bits;
  auto pbits = sparsemem.max_physmem_bits;
  auto page = info.page_size();
  const char* missing = !sym ? "SYMBOL(mem_section)" : !length ? "LENGTH(mem_section)"
                        : !esize ? "SIZE(mem_section)" : !off ? "OFFSET(mem_section.section_mem_map)"
                        : !sbits ? "NUMBER(SECTION_SIZE_BITS)" : !pbits ? "NUMBER(MAX_PHYSMEM_BITS)"
                        : !page ? "PAGESIZE" : nullptr;
  if (missing) {
    skipped.push_back({rule, missing});
    return;
  }
  page_shift_ = static_cast<uint64_t>(std::countr_zero(*page));
  // Plausibility: garbage here would make every loop below meaningless. (The offset test
  // cannot wrap: esize >= 8 is checked first.)
  if (!std::has_single_bit(*page) || *sbits <= static_cast<int64_t>(page_shift_) || *sbits > 40 ||
      *pbits < *sbits || *pbits > 57 || *esize < 8 || *esize > 256 || *off > *esize - 8 ||
      *length == 0 || struct_page_size == 0) {
    skipped.push_back({rule, "implausible SECTION_SIZE_BITS/MAX_PHYSMEM_BITS/SIZE(mem_section)"});
    return;
  }
  pfn_shift_ = static_cast<uint64_t>(*sbits) - page_shift_;
  nr_sections_ = uint64_t{1} << (*pbits - *sbits);
  entry_size_ = *esize;
  map_offset_ = *off;
  symbol_ = *sym;
  entries_per_root_ = *page / *esize;
  // EXTREME: LENGTH = NR_SECTION_ROOTS = sections / (PAGE_SIZE / SIZE(mem_section)).
  nr_roots_ = *length;
  extreme_ = *length < nr_sections_;
  if (!extreme_) entries_per_root_ = 1;
  if (extreme_ && (nr_sections_ + entries_per_root_ - 1) / entries_per_root_ != *length) {
    skipped.push_back({rule, "LENGTH(mem_section) fits neither SPARSEMEM nor SPARSEMEM_EXTREME"});
    return;
  }
  ok_ = true;
}

std::optional<uint64_t> MemSectionMap::entry_address(uint64_t nr, uint64_t roots, std::string& why) {
  if (!extreme_) return roots + nr * entry_size_;
  const uint64_t root = nr / entries_per_root_;
  uint64_t ptr = 0;
  const bool cached = roots_ && *roots_ == roots;
  if (auto it = root_cache_.find(root); cached && it != root_cache_.end()) {
    ptr = it->second;
  } else {
    std::array<std::byte, 8> b;
    if (auto r = memory_.read(roots + root * 8, b); !r) {
      why = "mem_section root " + std::to_string(root) + " unreadable: " + r.error().message();
      return std::nullopt;
    }
    std::memcpy(&ptr, b.data(), 8);
    if (cached) root_cache_[root] = ptr;
  }
  if (ptr == 0) {
    why = "absent (mem_section root " + std::to_string(root) + " is NULL)";
    return std::nullopt;
  }
  return ptr + (nr % entries_per_root_) * entry_size_;
}

std::optional<uint64_t> MemSectionMap::decode(uint64_t nr, uint64_t roots, std::string& why) {
  auto entry = entry_address(nr, roots, why);
  if (!entry) return std::nullopt;
  std::array<std::byte, 8> b;
  if (auto r = memory_.read(*entry + map_offset_, b); !r) {
    why = "mem_section entry at " + hex(*entry) + " unreadable: " + r.error().message();
    return std::nullopt;
  }
  uint64_t smm;
  std::memcpy(&smm, b.data(), 8);
  if ((smm & (kSectionPresent | kSectionHasMemMap)) != (kSectionPresent | kSectionHasMemMap)) {
    why = "absent (section_mem_map " + hex(smm) + " has no mem_map)";
    return std::nullopt;
  }
  // Encoded map = mem_map - first pfn (in struct pages): add the pfn's offset back.
  const uint64_t first = (nr << pfn_shift_) * struct_page_size_;
  const uint64_t page = (smm & ~kSectionFlagMask) + first;
  // A mem_map spanning its own entry is a pointer the crash bent back at the table.
  if (*entry + map_offset_ - page < (uint64_t{1} << pfn_shift_) * struct_page_size_) {
    why = "mem_map at " + hex(page) + " overlaps its own mem_section entry at " + hex(*entry);
    return std::nullopt;
  }
  // Probe the first struct page: a garbage pointer fails here, not in every window.
  std::array<std::byte, 8> probe;
  if (auto r = memory_.read(page, probe); !r) {
    why = "mem_map at " + hex(page) + " (section_mem_map " + hex(smm) +
          ") unreadable: " + r.error().message();
    return std::nullopt;
  }
  return page;
}

std::optional<uint64_t> MemSectionMap::section_first_page(uint64_t nr, std::string& why) {
  if (!ok_) {
    why = "no mem_section keys";
    return std::nullopt;
  }
  if (nr >= nr_sections_) {
    why = "section " + std::to_string(nr) + " beyond MAX_PHYSMEM_BITS";
    return std::nullopt;
  }
  if (roots_) return decode(nr, *roots_, why);
  // Form not known yet: the symbol is the root array, or (old 4.15 export) a pointer to
  // it. The first section that decodes under one form settles it.
  std::string why_array, why_pointer;
  if (auto p = decode(nr, symbol_, why_array)) {
    roots_ = symbol_;
    return p;
  }
  if (extreme_) {
    std::array<std::byte, 8> b;
    if (memory_.read(symbol_, b)) {
      uint64_t target;
      std::memcpy(&target, b.data(), 8);
      if (auto p = decode(nr, target, why_pointer)) {
        roots_ = target;
        return p;
      }
    }
  }
  // Report the pointer form's failure when the array form only saw an absent section.
  const bool array_absent = why_array.rfind("absent", 0) == 0;
  why = array_absent && !why_pointer.empty() && why_pointer.rfind("absent", 0) != 0 ? why_pointer
                                                                                   : why_array;
  return std::nullopt;
}

}  // namespace vmcap
