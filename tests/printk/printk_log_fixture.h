// Test fixture for the generation-2 and -3 kernel log decoders: the memory of a crashed
// x86_64 kernel built byte by byte (kernel image at 0xffffffff81000000, direct map at
// 0xffff880000000000), readable two independent ways:
//   - through PageMapMemory, a VirtualMemory over a page table of copied bytes (what the
//     decoders under test read), and
//   - as an ELF vmcore file (SyntheticVmcore, PT_LOAD p_vaddr = the same virtual
//     addresses) that kexec-tools' vmcore-dmesg, the oracle, reads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "capture/kernel/vmcoreinfo.h"
#include "capture/printk/log_record.h"
#include "capture/translate/virtual_memory.h"
#include "tests/support/synthetic_vmcore.h"

namespace vmcap::testing {

// Virtual memory as a map of 4 KiB pages. Reads crossing into a page that is not mapped
// fail with ErrorKind::Hole at the first missing address.
class PageMapMemory : public VirtualMemory {
 public:
  static constexpr uint64_t kPage = 4096;
  void map(uint64_t vaddr, std::span<const std::byte> bytes);
  void unmap_page(uint64_t vaddr);
  Result<void> read(uint64_t vaddr, std::span<std::byte> out) const override;

 private:
  std::map<uint64_t, std::vector<std::byte>> pages_;
};

// The crashed kernel's memory: variables in the image, buffers in the direct map.
class SyntheticKernel {
 public:
  static constexpr uint64_t kImageVaddr = 0xffffffff81000000ull;
  static constexpr uint64_t kImagePaddr = 0x1000000ull;
  static constexpr uint64_t kImageSize = 0x4000;  // data section holding the variables
  static constexpr uint64_t kDirectMapBase = 0xffff880000000000ull;
  static constexpr uint64_t kHeapPaddr = 0x2000000ull;

  SyntheticKernel();

  // A variable in the kernel image's data, `size` bytes, 8-aligned; returns its address.
  uint64_t add_variable(uint64_t size);
  // A zeroed buffer in the direct map (page aligned); returns its virtual address.
  uint64_t add_buffer(uint64_t size);
  // Writable bytes at a virtual address inside one region.
  std::span<std::byte> bytes(uint64_t vaddr, uint64_t n);
  void put_u16(uint64_t vaddr, uint16_t v);
  void put_u32(uint64_t vaddr, uint32_t v);
  void put_u64(uint64_t vaddr, uint64_t v);

  // VMCOREINFO text: a realistic x86_64 preamble for `osrelease` plus `extra` lines.
  std::string vmcoreinfo(const std::string& osrelease, const std::string& extra) const;

  // Pages to leave out of both the memory and the vmcore (a dump with holes).
  void drop_page(uint64_t vaddr) { dropped_.insert(vaddr & ~(PageMapMemory::kPage - 1)); }

  PageMapMemory memory() const;
  // The same memory as an ELF vmcore with the given VMCOREINFO, written to `path`.
  void write_vmcore(const std::string& path, const std::string& vmcoreinfo_text) const;

 private:
  struct Region {
    uint64_t vaddr, paddr;
    std::vector<std::byte> data;
  };
  Region* region_of(uint64_t vaddr, uint64_t n);

  std::vector<Region> regions_;
  uint64_t next_var_ = 0x100;
  uint64_t next_heap_ = 0;
  std::set<uint64_t> dropped_;
};

// Collects what a decoder emits.
class CollectingSink : public LogSink {
 public:
  void record(const LogRecord& r) override { records.push_back(r); }
  void warning(const std::string& what) override { warnings.push_back(what); }
  std::vector<LogRecord> records;
  std::vector<std::string> warnings;
};

// kexec-tools' vmcore-dmesg, found at configure time (VMCORE_DMESG); empty if missing.
std::string vmcore_dmesg_path();
struct OracleResult {
  int exit_code = -1;
  std::string out;
};
// Runs the oracle on `path` with a time limit (a damaged vmcore can make it loop).
OracleResult run_vmcore_dmesg(const std::string& path, int timeout_seconds = 20);

// Opens the vmcore at `path` with vmcap's own ELF reader and x86_64 translation
// (ElfDump, make_virtual_memory), parses its VMCOREINFO and runs `decoder` on it: the
// path a real capture takes, as opposed to PageMapMemory.
using LogDecoderFn = Result<void> (*)(const VmcoreInfo&, const VirtualMemory&, LogSink&);
Result<void> decode_vmcore_file(const std::string& path, LogDecoderFn decoder, LogSink& sink);

// A unique path under the test temporary directory.
std::string temp_path(const std::string& stem);

}  // namespace vmcap::testing
