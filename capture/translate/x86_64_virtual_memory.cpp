#include "capture/translate/x86_64_virtual_memory.h"

#include <algorithm>

#include <fmt/format.h>

#include "capture/translate/translated_read.h"

namespace vmcap {
namespace {

constexpr uint64_t kPresent = 1ull << 0;
constexpr uint64_t kLeaf = 1ull << 7;  // PS: a 1 GiB (PDPT) or 2 MiB (PD) page
constexpr uint64_t kAddressMask = 0x000ffffffffff000ull;
constexpr uint64_t kKernelHalf = 0xff00000000000000ull;  // any kernel address, 4 or 5 levels

// Linux's names for the table levels, counted from the leaf (0) up.
const char* level_name(int level, bool five_level) {
  static constexpr const char* kNames[] = {"PTE", "PMD", "PUD", "P4D", "PGD"};
  return level == 3 && !five_level ? "PGD" : kNames[level];
}

Error not_mapped(uint64_t vaddr, std::string why) {
  return make_error(ErrorKind::Hole, {}, vaddr,
                    fmt::format("virtual address {:#x} not mapped: {}", vaddr, why));
}

}  // namespace

Result<X86_64Params> X86_64Params::from_vmcoreinfo(const VmcoreInfo& info) {
  X86_64Params p;
  p.phys_base = VMCAP_TRY(info.require_number("phys_base"));
  p.top_pgt = info.symbol("init_top_pgt");
  if (!p.top_pgt) p.top_pgt = info.symbol("init_level4_pgt");
  p.five_level = info.number("pgtable_l5_enabled").value_or(0) != 0;
  p.sme_mask = static_cast<uint64_t>(info.number("sme_mask").value_or(0));
  if (auto size = info.number("KERNEL_IMAGE_SIZE"); size && *size > 0)
    p.kernel_image_size = static_cast<uint64_t>(*size);
  // The image cannot extend past the top of the address space.
  p.kernel_image_size = std::min<uint64_t>(p.kernel_image_size, 0ull - kStartKernelMap);
  return p;
}

X86_64VirtualMemory::X86_64VirtualMemory(const PhysicalMemory& memory, X86_64Params params,
                                         std::vector<VirtualMapping> mappings)
    : memory_(memory), params_(params), tables_(memory, kTableCachePages) {
  std::erase_if(mappings, [](const VirtualMapping& m) {
    return m.size == 0 || (m.vaddr & kKernelHalf) != kKernelHalf || m.vaddr + m.size < m.vaddr ||
           m.vaddr + m.size == 0 || m.paddr + m.size < m.paddr;
  });
  std::sort(mappings.begin(), mappings.end(),
            [](const auto& a, const auto& b) { return a.vaddr < b.vaddr; });
  // Overlapping statements: the first (lowest address) wins.
  for (const auto& m : mappings)
    if (mappings_.empty() || m.vaddr >= mappings_.back().vaddr + mappings_.back().size)
      mappings_.push_back(m);
}

std::optional<Translation> X86_64VirtualMemory::from_mappings(uint64_t vaddr) const {
  auto it = std::upper_bound(mappings_.begin(), mappings_.end(), vaddr,
                             [](uint64_t v, const VirtualMapping& m) { return v < m.vaddr; });
  if (it == mappings_.begin()) return std::nullopt;
  --it;
  uint64_t off = vaddr - it->vaddr;
  if (off >= it->size) return std::nullopt;
  return Translation{it->paddr + off, it->size - off};
}

Result<Translation> X86_64VirtualMemory::translate(uint64_t vaddr) const {
  const uint64_t image_off = vaddr - X86_64Params::kStartKernelMap;
  if (vaddr >= X86_64Params::kStartKernelMap && image_off < params_.kernel_image_size)
    return Translation{image_off + static_cast<uint64_t>(params_.phys_base),
                       params_.kernel_image_size - image_off};
  if (auto t = from_mappings(vaddr)) return *t;
  return walk(vaddr);
}

Result<Translation> X86_64VirtualMemory::walk(uint64_t vaddr) const {
  if (auto hit = tlb_.find(vaddr)) return *hit;

  const int levels = params_.five_level ? 5 : 4;
  // Canonical: the bits above the top level's index all copy the highest index bit.
  const int va_bits = params_.five_level ? 57 : 48;
  const uint64_t high = static_cast<uint64_t>(static_cast<int64_t>(vaddr) >> (va_bits - 1));
  if (high != 0 && high != ~0ull)
    return make_error(ErrorKind::Format, {}, vaddr,
                      fmt::format("virtual address {:#x} is not canonical ({} levels)", vaddr,
                                  levels));
  if (!params_.top_pgt)
    return make_error(ErrorKind::Missing, {}, vaddr,
                      fmt::format("virtual address {:#x}: VMCOREINFO has no "
                                  "SYMBOL(init_top_pgt) to walk the page tables from",
                                  vaddr));
  const uint64_t top_off = *params_.top_pgt - X86_64Params::kStartKernelMap;
  if (*params_.top_pgt < X86_64Params::kStartKernelMap || top_off >= params_.kernel_image_size)
    return make_error(ErrorKind::Format, {}, vaddr,
                      fmt::format("virtual address {:#x}: init_top_pgt {:#x} is outside the "
                                  "kernel image",
                                  vaddr, *params_.top_pgt));

  const uint64_t mask = kAddressMask & ~params_.sme_mask;
  uint64_t table = (top_off + static_cast<uint64_t>(params_.phys_base)) & ~0xfffull;
  for (int level = levels - 1; level >= 0; --level) {
    const int shift = 12 + 9 * level;
    const unsigned index = static_cast<unsigned>((vaddr >> shift) & 511);
    auto entry = tables_.entry(table, index);
    if (!entry) {
      return make_error(entry.error().kind, {}, vaddr,
                        fmt::format("virtual address {:#x}: cannot read the {} table at "
                                    "physical {:#x}: {}",
                                    vaddr, level_name(level, params_.five_level), table, entry.error().message()));
    }
    const uint64_t e = *entry;
    if (!(e & kPresent))
      return not_mapped(vaddr, fmt::format("{} entry {} = {:#x} not present", level_name(level, params_.five_level),
                                           index, e));
    if (level == 0 || ((level == 1 || level == 2) && (e & kLeaf))) {
      const uint64_t size = 1ull << shift;
      const uint64_t pbase = e & mask & ~(size - 1);
      const uint64_t vbase = vaddr & ~(size - 1);
      tlb_.insert(vbase, size, pbase);
      return Translation{pbase + (vaddr - vbase), size - (vaddr - vbase)};
    }
    table = e & mask;
  }
  return not_mapped(vaddr, "page table walk ended without a leaf");  // unreachable
}

Result<void> X86_64VirtualMemory::read(uint64_t vaddr, std::span<std::byte> out) const {
  return read_translated(memory_, vaddr, out, [this](uint64_t va) { return translate(va); });
}

}  // namespace vmcap
