#include "capture/translate/arm64_virtual_memory.h"

#include <fmt/format.h>

#include "capture/translate/translated_read.h"

namespace vmcap {
namespace {

Error not_mapped(uint64_t vaddr, std::string why) {
  return make_error(ErrorKind::Hole, {}, vaddr,
                    fmt::format("virtual address {:#x} not mapped: {}", vaddr, why));
}

Error bad_descriptor(uint64_t vaddr, std::string why) {
  return make_error(ErrorKind::Format, {}, vaddr,
                    fmt::format("virtual address {:#x}: {}", vaddr, why));
}

}  // namespace

Arm64VirtualMemory::Arm64VirtualMemory(const PhysicalMemory& memory, Arm64Layout layout)
    : memory_(memory),
      layout_(std::move(layout)),
      format_{layout_.page_shift, layout_.lpa2},
      tables_(memory, kTableCachePages, layout_.page_size()) {}

// Linux's names for the table levels, counted from the leaf (0) up; the top one is
// always the PGD, whatever is folded below it.
const char* Arm64VirtualMemory::level_name(unsigned level) const {
  static constexpr const char* kNames[] = {"PTE", "PMD", "PUD", "P4D", "PGD"};
  return level + 1 == layout_.levels ? "PGD" : kNames[level];
}

Result<Translation> Arm64VirtualMemory::translate(uint64_t vaddr) const {
  const uint64_t va = Arm64Layout::untag(vaddr);
  if (layout_.in_linear_map(va))
    return Translation{layout_.linear_to_phys(va), layout_.linear.end - va};
  if (layout_.in_image(va))
    return Translation{layout_.image_to_phys(va), layout_.image.end - va};
  return walk(vaddr);
}

Result<Translation> Arm64VirtualMemory::walk(uint64_t vaddr) const {
  const uint64_t va = Arm64Layout::untag(vaddr);
  if (auto hit = tlb_.find(va)) return *hit;

  if (va < layout_.kernel_va_start())
    return bad_descriptor(vaddr, fmt::format("outside the kernel's {}-bit address range "
                                             "(from {:#x}); only kernel addresses are translated",
                                             layout_.runtime_va_bits, layout_.kernel_va_start()));
  if (!layout_.swapper_pg_dir)
    return make_error(ErrorKind::Missing, {}, vaddr,
                      fmt::format("virtual address {:#x}: VMCOREINFO has no "
                                  "SYMBOL(swapper_pg_dir) to walk the page tables from",
                                  vaddr));
  const uint64_t page_mask = layout_.page_size() - 1;
  uint64_t table = *layout_.swapper_pg_dir - layout_.kimage_voffset;
  if (table & page_mask)
    return bad_descriptor(vaddr, fmt::format("swapper_pg_dir {:#x} is at physical {:#x}, not "
                                             "page aligned",
                                             *layout_.swapper_pg_dir, table));

  const unsigned per_level = layout_.page_shift - 3;
  for (unsigned level = layout_.levels; level-- > 0;) {
    const unsigned shift = layout_.page_shift + per_level * level;
    // The top table indexes what is left of the VA above its shift (fewer entries).
    const unsigned index_bits =
        level + 1 == layout_.levels ? layout_.table_va_bits - shift : per_level;
    const unsigned index = static_cast<unsigned>((va >> shift) & ((1ull << index_bits) - 1));
    auto entry = tables_.entry(table, index);
    if (!entry)
      return make_error(entry.error().kind, {}, vaddr,
                        fmt::format("virtual address {:#x}: cannot read the {} table at "
                                    "physical {:#x}: {}",
                                    vaddr, level_name(level), table, entry.error().message()));
    const uint64_t e = *entry;
    switch (format_.kind(e, level)) {
      case Arm64DescriptorKind::Invalid:
        return not_mapped(vaddr, fmt::format("{} entry {} = {:#x} is invalid", level_name(level),
                                             index, e));
      case Arm64DescriptorKind::Reserved:
        return bad_descriptor(vaddr, fmt::format("{} entry {} = {:#x} is a reserved descriptor "
                                                 "(0b01 at the last level)",
                                                 level_name(level), index, e));
      case Arm64DescriptorKind::Table:
        table = format_.output_address(e);
        continue;
      case Arm64DescriptorKind::Block:
        if (!format_.block_allowed(level))
          return bad_descriptor(vaddr, fmt::format("{} entry {} = {:#x} is a block descriptor, "
                                                   "which {} KiB pages do not allow there",
                                                   level_name(level), index, e,
                                                   layout_.page_size() >> 10));
        [[fallthrough]];
      case Arm64DescriptorKind::Page: {
        const uint64_t size = 1ull << shift;
        const uint64_t pbase = format_.output_address(e) & ~(size - 1);
        const uint64_t vbase = va & ~(size - 1);
        tlb_.insert(vbase, size, pbase);
        return Translation{pbase + (va - vbase), size - (va - vbase)};
      }
    }
  }
  return not_mapped(vaddr, "page table walk ended without a leaf");  // unreachable
}

Result<void> Arm64VirtualMemory::read(uint64_t vaddr, std::span<std::byte> out) const {
  return read_translated(memory_, vaddr, out, [this](uint64_t va) { return translate(va); });
}

}  // namespace vmcap
