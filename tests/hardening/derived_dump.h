// A small ELF vmcore derived from a real one (x86_64 or arm64): the pages the kernel-log decoder reads
// (page tables, the printk variables and buffers, found by recording every physical read
// of a real decode), plus the real notes. Tests damage these pages the way a crashed
// machine does and write the result as a few-MiB file, instead of copying a 1 GiB dump.
// The derived dump has no virtual addresses (p_vaddr == p_paddr, like a QEMU dump): vmcap
// walks the copied page tables, exactly as on the real file without its mappings.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "capture/kernel/vmcoreinfo.h"
#include "capture/printk/ringbuffer_layout.h"
#include "elf/dump.h"
#include "elf/result.h"

namespace vmcap::testing {

inline constexpr uint64_t kPage = 4096;

// Where the 5.10+ ring lives in the dump, read through the real kernel's VMCOREINFO.
struct RingAddresses {
  uint64_t prb = 0;                      // struct printk_ringbuffer
  uint64_t descs = 0, infos = 0, data = 0;
  uint64_t count = 0, data_size = 0;     // descriptors, bytes of text
  RingbufferLayout layout;
};

struct WriteOptions {
  bool drop_vmcoreinfo = false;
  // Write the pages holding [vaddr, vaddr + size) last in the file (to cut inside them).
  uint64_t last_vaddr = 0, last_size = 0;
};

class DerivedDump {
 public:
  // Reads `real_vmcore` (any format vmcap opens) and copies what the log decoder touches.
  static Result<DerivedDump> from(const std::string& real_vmcore);

  const VmcoreInfo& info() const { return info_; }
  const RingAddresses& ring() const { return ring_; }
  size_t page_count() const { return pages_.size(); }  // of page_size() bytes each
  uint64_t page_size() const { return page_size_; }    // the kernel's PAGESIZE

  // Kernel virtual address -> bytes of the copy (the address must be in a copied page;
  // n bytes must stay in that page).
  std::byte* at(uint64_t vaddr, uint64_t n = 1);
  uint64_t u64(uint64_t vaddr);
  void put_u64(uint64_t vaddr, uint64_t v);
  void put_u16(uint64_t vaddr, uint16_t v);
  // Overwrites [vaddr, vaddr + n) with `value`, crossing pages.
  void fill(uint64_t vaddr, uint64_t n, std::byte value);
  // Physical page of a virtual address.
  uint64_t paddr(uint64_t vaddr) const;

  // Writes an ELF vmcore; returns the file offsets where the "last" pages start (empty
  // when none were asked for).
  Result<uint64_t> write(const std::string& path, const WriteOptions& options = {}) const;

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;  // the real dump and its translation, kept open
  VmcoreInfo info_;
  RingAddresses ring_;
  std::vector<Note> notes_;
  uint16_t machine_ = 0;  // the real dump's e_machine, written to the derived one
  uint64_t page_size_ = kPage;  // the kernel's (PAGESIZE): pages are copied whole
  std::map<uint64_t, std::vector<std::byte>> pages_;  // paddr -> copy of one kernel page
};

}  // namespace vmcap::testing
