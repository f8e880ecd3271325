// QEMU's kdump output for an aarch64 guest (dump/dump.c, target/arm/arch_dump.c): utsname
// machine "Unknown" (aarch64 has no ELF_MACHINE_UNAME), 64 KiB blocks whatever the guest's
// page size (pfn = PA >> 16), phys_base = the lowest RAM address, and per CPU a CORE
// NT_PRSTATUS of 392 bytes and an NT_PRFPREG of 528; QEMU 7.2 writes it flattened. The
// reader must still know the machine and read memory at any granularity.
#include <gtest/gtest.h>

#include <filesystem>

#include "elf/kdump/kdump.h"
#include "elf/prstatus.h"
#include "tests/kdump/kdump_writer.h"
#include "tests/support/aarch64_prstatus.h"

namespace vmcap {
namespace {

using testing::KdumpNote;
using testing::KdumpWriter;
using testing::pattern_page;

constexpr uint32_t kBlock = 64 << 10;
constexpr uint64_t kRamStart = 0x40000000;  // QEMU virt
constexpr uint64_t kFirstPfn = kRamStart / kBlock;
constexpr uint32_t kNtPrfpreg = 2;

KdumpWriter qemu_aarch64(unsigned cpus, const std::string& machine = "Unknown") {
  KdumpWriter w;
  w.machine(machine, 64).block_size(kBlock).phys_base(kRamStart).dump_level(1);
  w.share_zero_pages(true);
  for (unsigned c = 0; c < cpus; ++c) {
    w.note(KdumpNote{"CORE", kNtPrstatus, testing::aarch64_prstatus(c + 1, testing::aarch64_regs_of_cpu(c))});
    w.note(KdumpNote{"CORE", kNtPrfpreg, testing::aarch64_prfpreg()});
  }
  const std::string vmci = "OSRELEASE=6.1.0-arm64-test\nPAGESIZE=4096\n";
  const auto* b = reinterpret_cast<const std::byte*>(vmci.data());
  w.note(KdumpNote{"VMCOREINFO", 0, std::vector<std::byte>(b, b + vmci.size())});
  for (uint64_t i = 0; i < 4; ++i)
    w.page(kFirstPfn + i, i == 2 ? std::vector<std::byte>(kBlock) : pattern_page(kBlock, i), testing::kZlib);
  return w;
}

class QemuAarch64Kdump : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = testing::make_temp_dir("qemu-aarch64-kdump"); }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::unique_ptr<Dump> open(const std::vector<std::byte>& bytes, bool flattened = false) {
    const std::string path = dir_ + (flattened ? "/dump.flat" : "/dump");
    testing::write_file(path, flattened ? testing::flatten(testing::flat_records(bytes, 100000)) : bytes);
    auto r = flattened ? open_flattened(path) : open_kdump_compressed(path);
    EXPECT_TRUE(r) << (r ? "" : r.error().message());
    return r ? std::move(r).value() : nullptr;
  }
  std::string dir_;
};

TEST_F(QemuAarch64Kdump, MachineFromTheNotesWhenTheHeaderSaysUnknown) {
  for (bool flattened : {false, true}) {
    SCOPED_TRACE(flattened ? "flattened" : "kdump-compressed");
    auto d = open(qemu_aarch64(2).build(), flattened);
    ASSERT_TRUE(d);
    EXPECT_EQ(d->machine(), kEmAarch64);
    EXPECT_EQ(d->word_size(), 64);
    const KdumpInfo* k = kdump_info(*d);
    ASSERT_TRUE(k);
    EXPECT_EQ(k->machine, "Unknown") << "the header is reported as written";
    EXPECT_NE(k->machine_basis.find("\"Unknown\""), std::string::npos) << k->machine_basis;
    EXPECT_NE(k->machine_basis.find("392 bytes"), std::string::npos) << k->machine_basis;
    EXPECT_EQ(k->block_size, kBlock);
    EXPECT_EQ(k->phys_base, kRamStart);
    auto states = read_cpu_states(*d);
    EXPECT_TRUE(states.warnings.empty());
    ASSERT_EQ(states.cpus.size(), 2u);
    EXPECT_EQ(states.cpus[1].pc, testing::aarch64_regs_of_cpu(1).pc);
    EXPECT_EQ(states.cpus[1].pid, 2u);
  }
}

TEST_F(QemuAarch64Kdump, NamedMachineNeedsNoNotes) {
  auto d = open(qemu_aarch64(0, "aarch64").build());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->machine(), kEmAarch64);
  EXPECT_EQ(kdump_info(*d)->machine_basis, "utsname.machine");
}

TEST_F(QemuAarch64Kdump, UnknownMachineWithoutCpuNotesStaysUnknown) {
  auto d = open(qemu_aarch64(0).build());
  ASSERT_TRUE(d);
  EXPECT_EQ(d->machine(), 0);
  EXPECT_EQ(kdump_info(*d)->machine_basis, "");
}

TEST_F(QemuAarch64Kdump, PageSizedReadsInsideAndAcross64KBlocks) {
  auto d = open(qemu_aarch64(1).build());
  ASSERT_TRUE(d);
  ASSERT_EQ(d->memory().ranges().size(), 1u);
  EXPECT_EQ(d->memory().ranges()[0].start, kRamStart);
  EXPECT_EQ(d->memory().ranges()[0].size, 4ull * kBlock);
  // 4 KiB and 16 KiB pages of the guest, each inside one block.
  for (uint32_t page : {4096u, 16384u}) {
    for (uint64_t block = 0; block < 4; ++block) {
      const auto whole = block == 2 ? std::vector<std::byte>(kBlock) : pattern_page(kBlock, block);
      for (uint64_t off = 0; off < kBlock; off += page * 3) {
        std::vector<std::byte> got(page);
        ASSERT_TRUE(d->memory().read(kRamStart + block * kBlock + off, got));
        EXPECT_TRUE(std::equal(got.begin(), got.end(), whole.begin() + off))
            << "block " << block << " offset " << off << " page " << page;
      }
    }
  }
  // A read that straddles two blocks.
  std::vector<std::byte> got(8192);
  ASSERT_TRUE(d->memory().read(kRamStart + kBlock - 4096, got));
  const auto b0 = pattern_page(kBlock, 0), b1 = pattern_page(kBlock, 1);
  EXPECT_TRUE(std::equal(got.begin(), got.begin() + 4096, b0.end() - 4096));
  EXPECT_TRUE(std::equal(got.begin() + 4096, got.end(), b1.begin()));
  // Below RAM: a hole naming the 64 KiB pfn.
  std::vector<std::byte> one(1);
  auto hole = d->memory().read(0x3fff0000, one);
  ASSERT_FALSE(hole);
  EXPECT_EQ(hole.error().kind, ErrorKind::Hole);
  EXPECT_NE(hole.error().reason.find("pfn 0x3fff"), std::string::npos) << hole.error().reason;
}

}  // namespace
}  // namespace vmcap
