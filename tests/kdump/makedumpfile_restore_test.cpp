// Oracle: the real makedumpfile turns our flattened streams back into kdump-compressed
// files (`makedumpfile -R out < flat`). The restored file must be byte-identical to the
// file the records were cut from, and our two readers must give the same pages for it and
// for the flattened stream.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <random>

#include "elf/kdump/kdump.h"
#include "tests/kdump/kdump_writer.h"

namespace vmcap {
namespace {

std::string find_makedumpfile() {
  for (const char* dir : {"/usr/sbin", "/usr/bin", "/sbin", "/usr/local/sbin", "/usr/local/bin"}) {
    std::string p = std::string(dir) + "/makedumpfile";
    if (std::filesystem::exists(p)) return p;
  }
  return {};
}

void expect_same_memory(const Dump& a, const Dump& b) {
  ASSERT_EQ(a.memory().ranges().size(), b.memory().ranges().size());
  uint64_t pages = 0;
  for (size_t i = 0; i < a.memory().ranges().size(); ++i) {
    const PhysRange ra = a.memory().ranges()[i], rb = b.memory().ranges()[i];
    ASSERT_EQ(ra.start, rb.start);
    ASSERT_EQ(ra.size, rb.size);
    std::vector<std::byte> pa(4096), pb(4096);
    for (uint64_t addr = ra.start; addr < ra.end(); addr += 4096, ++pages) {
      ASSERT_TRUE(a.memory().read(addr, pa));
      ASSERT_TRUE(b.memory().read(addr, pb));
      ASSERT_EQ(pa, pb) << "paddr " << addr;
    }
  }
  EXPECT_GT(pages, 0u);
  EXPECT_EQ(a.notes().size(), b.notes().size());
  EXPECT_EQ(a.vmcoreinfo_text(), b.vmcoreinfo_text());
}

TEST(MakedumpfileRestore, RestoredFlattenedStreamMatches) {
  const std::string mdf = find_makedumpfile();
  if (mdf.empty()) GTEST_SKIP() << "makedumpfile not installed (Debian package makedumpfile)";
  const std::string dir = testing::make_temp_dir("mdf-restore");

  testing::KdumpWriter w;
  w.vmcoreinfo("OSRELEASE=6.1.0-test\nPAGESIZE=4096\n").max_mapnr(3000).share_zero_pages(true);
  w.note({"CORE", 1, std::vector<std::byte>(336, std::byte{0x42})});
  const uint32_t methods[] = {testing::kZlib, testing::kLzo, testing::kSnappy, testing::kZstd,
                              testing::kRaw};
  for (uint64_t pfn = 0; pfn < 3000; ++pfn) {
    if (pfn % 97 < 10) continue;  // excluded runs
    std::vector<std::byte> data =
        pfn % 13 == 0 ? std::vector<std::byte>(4096, std::byte{0})
        : pfn % 11 == 0 ? testing::random_page(4096, pfn)
                        : testing::pattern_page(4096, pfn);
    w.page(pfn, std::move(data), methods[pfn % 5]);
  }
  const auto kdump = w.build();

  // Records of odd sizes, shuffled, with some written twice (the second time wins).
  auto records = testing::flat_records(kdump, 3333);
  std::mt19937 rng(7);
  std::shuffle(records.begin(), records.end(), rng);
  for (size_t i = 0; i < records.size(); i += 9) records.push_back(records[i]);
  const std::string flat = dir + "/dump.flat", restored = dir + "/restored.dump";
  testing::write_file(flat, testing::flatten(records));

  const std::string cmd = mdf + " -R " + restored + " < " + flat + " > " + dir + "/log 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  EXPECT_EQ(testing::read_file(restored), kdump) << "makedumpfile -R disagrees with the writer";

  auto a = open_kdump_compressed(restored);
  ASSERT_TRUE(a) << a.error().message();
  auto b = open_flattened(flat);
  ASSERT_TRUE(b) << b.error().message();
  EXPECT_EQ(a.value()->format(), "kdump-compressed");
  EXPECT_EQ(b.value()->format(), "flattened");
  expect_same_memory(*a.value(), *b.value());
  // And both hold what the writer put in.
  std::vector<std::byte> page(4096);
  ASSERT_TRUE(a.value()->memory().read(12 * 4096, page));
  EXPECT_EQ(page, testing::pattern_page(4096, 12));
  ASSERT_TRUE(a.value()->memory().read(13 * 4096, page));
  EXPECT_EQ(page, std::vector<std::byte>(4096, std::byte{0}));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vmcap
