// A small ELF vmcore derived from a real one for the page filter's hardening tests: the
// real notes, the pages the kernel-log decoder reads, a few windows of RAM in different
// mem_map sections, and everything the real filter reads to classify them (page tables,
// the mem_section table, the windows' struct pages), found by recording the physical
// reads of real classify_pages runs over the real dump. Tests damage the kernel's
// structures in the copy (a section's mem_map pointer, struct pages) and write a file of
// a few MiB. Like DerivedDump, no virtual addresses: vmcap walks the copied page tables.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "capture/filter/struct_page_layout.h"
#include "capture/kernel/vmcoreinfo.h"
#include "elf/dump.h"
#include "elf/result.h"

namespace vmcap::testing {

struct PfnWindow {
  uint64_t first = 0, count = 0;  // pfns [first, first + count)
  uint64_t section = 0;           // its mem_section number
};

class FilterSlice {
 public:
  // `windows` RAM windows of `window_pages` pages (aligned to their size: 1024 pages
  // hold every free block that starts in them), each in its own section from the second
  // on, away from the log's pages; chosen where the real filter sees the most kinds of
  // pages, with at least one window of free, anonymous and page cache pages each.
  static Result<FilterSlice> from(const std::string& real_vmcore, size_t windows = 6,
                                  uint64_t window_pages = 1024);

  const VmcoreInfo& info() const { return info_; }
  const StructPageLayout& layout() const { return layout_; }
  const std::vector<PfnWindow>& windows() const { return windows_; }
  uint64_t pages_per_section() const { return pages_per_section_; }
  size_t page_count() const { return pages_.size(); }

  // Virtual address of section nr's mem_section entry (its section_mem_map word), and
  // the struct page of pfn (as the undamaged entry says).
  std::optional<uint64_t> section_entry(uint64_t nr) const;
  std::optional<uint64_t> struct_page(uint64_t pfn) const;

  // Kernel virtual address -> the copy's bytes (nullptr when not copied or not n bytes
  // inside one page).
  std::byte* at(uint64_t vaddr, uint64_t n = 1);
  uint64_t u64(uint64_t vaddr);
  void put_u64(uint64_t vaddr, uint64_t v);
  // The copy of a physical page (nullptr when not copied).
  const std::byte* page(uint64_t pfn) const;
  uint64_t paddr(uint64_t vaddr) const;

  Result<void> write(const std::string& path) const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // the real dump and its translation, kept open
  VmcoreInfo info_;
  StructPageLayout layout_;
  std::vector<Note> notes_;
  std::vector<PfnWindow> windows_;
  uint64_t pages_per_section_ = 0;
  std::map<uint64_t, std::vector<std::byte>> pages_;  // paddr -> 4 KiB copy
};

}  // namespace vmcap::testing
