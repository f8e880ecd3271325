// The filtered core of an arm64 dump (capture/core's write_filtered_core) carries the right
// machine and page size whatever the source counts in: from QEMU's aarch64 kdump (utsname
// "Unknown", 64 KiB blocks) a kdump file with utsname.machine "aarch64", block size =
// VMCOREINFO's PAGESIZE and phys_base = NUMBER(PHYS_OFFSET) (where makedumpfile puts it and
// crash reads it back), and an ELF core with e_machine EM_AARCH64. Dump level 0 without a
// kernel view: what `vmcap filter -d 0` does where this kernel's translation fails.
#include <gtest/gtest.h>

#include <filesystem>

#include "capture/core/filtered_core.h"
#include "capture/writer/file_sink.h"
#include "elf/kdump/kdump.h"
#include "elf/open_dump.h"
#include "elf/prstatus.h"
#include "tests/kdump/kdump_writer.h"
#include "tests/support/aarch64_prstatus.h"
#include "tests/support/temp_dir.h"

namespace vmcap {
namespace {

constexpr uint32_t kBlock = 64 << 10;
constexpr uint64_t kRamStart = 0x40000000;

std::vector<std::byte> bytes(const std::string& s) {
  const auto* p = reinterpret_cast<const std::byte*>(s.data());
  return {p, p + s.size()};
}

// A QEMU-like aarch64 kdump: 3 blocks of 64 KiB at 1 GiB, the middle one zero.
std::vector<std::byte> qemu_aarch64_source(const std::string& vmcoreinfo) {
  testing::KdumpWriter w;
  w.machine("Unknown", 64).block_size(kBlock).phys_base(kRamStart).share_zero_pages(true);
  w.note(testing::KdumpNote{"CORE", kNtPrstatus,
                            testing::aarch64_prstatus(1, testing::aarch64_regs_of_cpu(0))});
  if (!vmcoreinfo.empty()) w.note(testing::KdumpNote{"VMCOREINFO", 0, bytes(vmcoreinfo)});
  for (uint64_t i = 0; i < 3; ++i)
    w.page(kRamStart / kBlock + i, i == 1 ? std::vector<std::byte>(kBlock) : testing::pattern_page(kBlock, i),
           testing::kZlib);
  return w.build();
}

struct Written {
  std::unique_ptr<Dump> core;
  CoreResult result;
};

Written write_core(const testing::TempDir& dir, const std::vector<std::byte>& source, CoreFormat format) {
  testing::write_file(dir.file("source"), source);
  auto src = open_dump(dir.file("source"));
  EXPECT_TRUE(src) << src.error().message();
  if (!src) return {};
  EXPECT_EQ((*src)->machine(), kEmAarch64);
  const std::string out = dir.file(format == CoreFormat::Elf ? "core.elf" : "core.kdump");
  auto sink = FileSink::create(out);
  EXPECT_TRUE(sink);
  CoreOptions o;
  o.dump_level = 0;
  o.format = format;
  o.write.compression = Compression::Zlib;
  o.write.threads = 1;
  auto r = write_filtered_core(**src, nullptr, o, **sink);
  EXPECT_TRUE(r) << r.error().message();
  if (!r) return {};
  auto core = open_dump(out);
  EXPECT_TRUE(core) << core.error().message();
  if (!core) return {};
  // Every byte of the source's RAM reads back, at the core's own page granularity.
  std::vector<std::byte> want(kBlock), got(kBlock);
  for (uint64_t i = 0; i < 3; ++i) {
    EXPECT_TRUE((*src)->memory().read(kRamStart + i * kBlock, want));
    auto g = (*core)->memory().read(kRamStart + i * kBlock, got);
    EXPECT_TRUE(g) << g.error().message();
    EXPECT_EQ(got, want) << "block " << i;
  }
  return {std::move(*core), std::move(*r)};
}

TEST(FilteredCoreArm64, KdumpFromQemu64KBlocksTakesThePageSizeAndPhysOffset) {
  for (uint32_t page : {4096u, 16384u}) {
    SCOPED_TRACE(page);
    testing::TempDir dir;
    const std::string vmci = "OSRELEASE=6.12.0-arm64-test\nPAGESIZE=" + std::to_string(page) +
                             "\nNUMBER(PHYS_OFFSET)=0xfff1000040000000\n";
    auto w = write_core(dir, qemu_aarch64_source(vmci), CoreFormat::Kdump);
    ASSERT_TRUE(w.core);
    EXPECT_EQ(w.core->machine(), kEmAarch64);
    const KdumpInfo* k = kdump_info(*w.core);
    ASSERT_TRUE(k);
    EXPECT_EQ(k->machine, "aarch64");
    EXPECT_EQ(k->machine_basis, "utsname.machine");
    EXPECT_EQ(k->block_size, page) << "the kernel's page size, not QEMU's 64 KiB";
    EXPECT_EQ(k->max_mapnr, (kRamStart + 3 * kBlock) / page);
    EXPECT_EQ(k->phys_base, 0xfff1000040000000ull) << "NUMBER(PHYS_OFFSET), negative on 6.12 without LPA2";
    EXPECT_EQ(k->release, "6.12.0-arm64-test");
    // Without translation the header has OSRELEASE, not the kernel's utsname: said so.
    ASSERT_FALSE(w.result.warnings.empty());
    EXPECT_NE(w.result.warnings[0].find("no address translation"), std::string::npos) << w.result.warnings[0];
  }
}

TEST(FilteredCoreArm64, ElfCoreIsEmAarch64) {
  testing::TempDir dir;
  auto w = write_core(dir, qemu_aarch64_source("OSRELEASE=6.1.0-arm64-test\nPAGESIZE=4096\n"), CoreFormat::Elf);
  ASSERT_TRUE(w.core);
  EXPECT_EQ(w.core->format(), "elf");
  EXPECT_EQ(w.core->machine(), kEmAarch64);
  auto cpus = read_cpu_states(*w.core);
  ASSERT_EQ(cpus.cpus.size(), 1u);
  EXPECT_EQ(cpus.cpus[0].pc, testing::aarch64_regs_of_cpu(0).pc);
}

TEST(FilteredCoreArm64, WithoutVmcoreinfoTheSourcesBlockSizeIsKept) {
  testing::TempDir dir;
  auto w = write_core(dir, qemu_aarch64_source(""), CoreFormat::Kdump);
  ASSERT_TRUE(w.core);
  const KdumpInfo* k = kdump_info(*w.core);
  ASSERT_TRUE(k);
  EXPECT_EQ(k->machine, "aarch64") << "from the machine the reader found in the notes";
  EXPECT_EQ(k->block_size, kBlock) << "no PAGESIZE: the unit the source knows its pages in";
}

// A crashing machine's PAGESIZE may be anything: one that is no page size (0, 3, beyond
// 32 bits or 1 MiB) is said and the source's own block size kept, never divided by.
TEST(FilteredCoreArm64, ImplausiblePagesizeIsSaidAndTheSourcesBlockSizeKept) {
  for (const char* bad : {"0", "3", "4097", "2097152", "4294967296", "18446744073709551615"}) {
    SCOPED_TRACE(bad);
    testing::TempDir dir;
    auto w = write_core(dir, qemu_aarch64_source(std::string("OSRELEASE=6.1.0-arm64-test\nPAGESIZE=") + bad + "\n"),
                        CoreFormat::Kdump);
    ASSERT_TRUE(w.core);
    const KdumpInfo* k = kdump_info(*w.core);
    ASSERT_TRUE(k);
    EXPECT_EQ(k->block_size, kBlock);
    bool said = false;
    for (const auto& warning : w.result.warnings)
      said |= warning.find(std::string("PAGESIZE ") + bad) != std::string::npos;
    EXPECT_TRUE(said) << ::testing::PrintToString(w.result.warnings);
  }
}

}  // namespace
}  // namespace vmcap
