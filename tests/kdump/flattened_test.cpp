// Flattened (makedumpfile -F) reader: records in order, out of order, overlapping; the
// logical file must equal the kdump-compressed file the records were cut from.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <random>

#include "elf/kdump/kdump.h"
#include "tests/kdump/kdump_writer.h"

namespace vmcap {
namespace {

using testing::FlatRecord;
using testing::KdumpWriter;
using testing::pattern_page;

class FlattenedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = testing::make_temp_dir("flat");
    KdumpWriter w;
    w.vmcoreinfo("OSRELEASE=6.1.0\nPAGESIZE=4096\n").max_mapnr(40);
    for (uint64_t pfn = 0; pfn < 40; pfn += (pfn % 7 == 6 ? 3 : 1), ++pages_)
      w.page(pfn, pattern_page(4096, pfn), pfn % 2 ? testing::kZlib : testing::kLzo);
    kdump_ = w.build();
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string write(const std::vector<std::byte>& bytes) {
    const std::string path = dir_ + "/flat" + std::to_string(n_++);
    testing::write_file(path, bytes);
    return path;
  }

  // The logical content through FlattenedByteSource, whole.
  std::vector<std::byte> logical(const std::string& path) {
    auto raw = FileByteSource::open(path);
    EXPECT_TRUE(raw);
    auto flat = FlattenedByteSource::open(std::shared_ptr<const ByteSource>(std::move(raw).value()));
    EXPECT_TRUE(flat) << (flat ? "" : flat.error().message());
    if (!flat) return {};
    std::vector<std::byte> out(flat.value()->size());
    EXPECT_TRUE(flat.value()->read_at(0, out));
    return out;
  }

  void expect_same_pages(const std::string& path) {
    auto d = open_flattened(path);
    ASSERT_TRUE(d) << d.error().message();
    EXPECT_EQ(d.value()->format(), "flattened");
    EXPECT_EQ(d.value()->vmcoreinfo_text(), std::string("OSRELEASE=6.1.0\nPAGESIZE=4096\n"));
    const auto& ranges = d.value()->memory().ranges();
    uint64_t pages = 0;
    for (const auto& r : ranges) {
      for (uint64_t a = r.start; a < r.end(); a += 4096, ++pages) {
        std::vector<std::byte> page(4096);
        ASSERT_TRUE(d.value()->memory().read(a, page));
        EXPECT_EQ(page, pattern_page(4096, a / 4096)) << "pfn " << a / 4096;
      }
    }
    EXPECT_EQ(pages, kdump_info(*d.value())->dumped_pages);
    EXPECT_EQ(pages, pages_);
    EXPECT_EQ(pages, 30u);
  }

  std::string dir_;
  std::vector<std::byte> kdump_;
  int n_ = 0;
  uint64_t pages_ = 0;
};

TEST_F(FlattenedTest, RecordsInOrder) {
  auto path = write(testing::flatten(testing::flat_records(kdump_, 4096)));
  EXPECT_EQ(logical(path), kdump_);
  expect_same_pages(path);
  auto d = open_flattened(path);
  ASSERT_TRUE(d);
  EXPECT_EQ(kdump_info(*d.value())->flattened_records, (kdump_.size() + 4095) / 4096);
}

TEST_F(FlattenedTest, RecordsOutOfOrder) {
  auto records = testing::flat_records(kdump_, 1000);
  std::mt19937 rng(42);
  std::shuffle(records.begin(), records.end(), rng);
  auto path = write(testing::flatten(records));
  EXPECT_EQ(logical(path), kdump_);
  expect_same_pages(path);
}

TEST_F(FlattenedTest, LaterRecordsOverrideEarlierOnes) {
  // Garbage first, over everything and over odd pieces; then the real content in
  // unaligned pieces that overlap each other; then a few real pieces again.
  std::vector<FlatRecord> records;
  records.push_back({0, std::vector<std::byte>(kdump_.size(), std::byte{0xee})});
  records.push_back({5000, std::vector<std::byte>(3000, std::byte{0xdd})});
  for (const auto& r : testing::flat_records(kdump_, 1500)) records.push_back(r);
  for (size_t off = 700; off + 2500 < kdump_.size(); off += 2300)
    records.push_back({off, std::vector<std::byte>(kdump_.begin() + off, kdump_.begin() + off + 2500)});
  auto path = write(testing::flatten(records));
  EXPECT_EQ(logical(path), kdump_);
  expect_same_pages(path);

  // Override in the middle of one segment: a 10-byte record inside an earlier 4 KiB one.
  std::vector<FlatRecord> mid = testing::flat_records(kdump_, 8192);
  mid.insert(mid.begin(), FlatRecord{100, std::vector<std::byte>(10, std::byte{1})});
  mid.push_back({4100, std::vector<std::byte>(10, std::byte{2})});
  auto expect = kdump_;
  std::fill(expect.begin() + 4100, expect.begin() + 4110, std::byte{2});
  EXPECT_EQ(logical(write(testing::flatten(mid))), expect);
}

TEST_F(FlattenedTest, GapsReadAsZerosLikeARestoredFile) {
  std::vector<FlatRecord> records = {
      {0, std::vector<std::byte>(100, std::byte{1})},
      {300, std::vector<std::byte>(100, std::byte{2})}};
  auto path = write(testing::flatten(records));
  auto bytes = logical(path);
  ASSERT_EQ(bytes.size(), 400u);
  EXPECT_EQ(bytes[99], std::byte{1});
  EXPECT_EQ(bytes[100], std::byte{0});
  EXPECT_EQ(bytes[299], std::byte{0});
  EXPECT_EQ(bytes[300], std::byte{2});
  // Past the logical end: Truncated.
  auto raw = FileByteSource::open(path);
  ASSERT_TRUE(raw);
  auto flat = FlattenedByteSource::open(std::shared_ptr<const ByteSource>(std::move(raw).value()));
  ASSERT_TRUE(flat);
  std::byte b[8];
  auto r = flat.value()->read_at(396, b);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Truncated);
  EXPECT_EQ(r.error().offset, 396u);
}

// stored(): whether records wrote every byte of a range (gaps read as zeros but are not
// in the file).
TEST_F(FlattenedTest, StoredTellsRecordsFromGaps) {
  std::vector<FlatRecord> records = {{0, std::vector<std::byte>(100, std::byte{1})},
                                     {100, std::vector<std::byte>(50, std::byte{2})},
                                     {300, std::vector<std::byte>(100, std::byte{3})}};
  auto raw = FileByteSource::open(write(testing::flatten(records)));
  ASSERT_TRUE(raw);
  auto flat = FlattenedByteSource::open(std::shared_ptr<const ByteSource>(std::move(raw).value()));
  ASSERT_TRUE(flat);
  const ByteSource& src = *flat.value();
  EXPECT_TRUE(src.stored(0, 150));   // two adjacent records
  EXPECT_TRUE(src.stored(120, 30));
  EXPECT_TRUE(src.stored(300, 100));
  EXPECT_TRUE(src.stored(200, 0));
  EXPECT_FALSE(src.stored(100, 51));  // one byte into the gap
  EXPECT_FALSE(src.stored(160, 10));  // inside the gap
  EXPECT_FALSE(src.stored(0, 400));
  EXPECT_FALSE(src.stored(396, 8));   // past the logical end
  EXPECT_TRUE(src.contains(160, 10));
}

// A descriptor table in a gap costs the file nothing but would size the page runs by the
// bitmap alone: refused, naming where the table should be.
TEST_F(FlattenedTest, DescriptorTableInAGapIsRefused) {
  auto good = open_flattened(write(testing::flatten(testing::flat_records(kdump_, 4096))));
  ASSERT_TRUE(good) << good.error().message();
  const uint64_t desc = kdump_info(*good.value())->desc_offset;
  const uint64_t table = 30 * 24;  // 30 dumped pages, 24-byte descriptors
  std::vector<FlatRecord> records;
  for (auto& r : testing::flat_records(kdump_, 8))
    if (r.offset + 8 <= desc || r.offset >= desc + table) records.push_back(std::move(r));
  auto bad = open_flattened(write(testing::flatten(records)));
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().kind, ErrorKind::Format);
  EXPECT_EQ(bad.error().offset, desc);
  EXPECT_NE(bad.error().message().find("no record of the flattened stream"), std::string::npos)
      << bad.error().message();
}

TEST_F(FlattenedTest, MissingEndMarkerIsTruncated) {
  auto flat = testing::flatten(testing::flat_records(kdump_, 4096), /*end_marker=*/false);
  auto r = open_flattened(write(flat));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Truncated);
  EXPECT_EQ(r.error().offset, flat.size());
  EXPECT_NE(r.error().reason.find("end marker"), std::string::npos) << r.error().reason;
}

TEST_F(FlattenedTest, RecordPastTheEndIsTruncated) {
  auto flat = testing::flatten(testing::flat_records(kdump_, 4096));
  flat.resize(flat.size() - 16 - 100);  // drop the end marker and 100 bytes of the last record
  auto r = open_flattened(write(flat));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Truncated);
}

TEST_F(FlattenedTest, WrongSignatureTypeVersion) {
  auto records = testing::flat_records(kdump_, 4096);
  auto r = open_flattened(write(testing::flatten(records, true, "makedumpfilX")));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Format);
  EXPECT_EQ(r.error().offset, 0u);
  r = open_flattened(write(testing::flatten(records, true, "makedumpfile", 2)));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Format);
  EXPECT_EQ(r.error().offset, 16u);
  r = open_flattened(write(testing::flatten(records, true, "makedumpfile", 1, 3)));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Format);
  EXPECT_EQ(r.error().offset, 24u);
  // A flattened file is not kdump-compressed, and the error says what it is.
  auto k = open_kdump_compressed(write(testing::flatten(records)));
  ASSERT_FALSE(k);
  EXPECT_EQ(k.error().kind, ErrorKind::Format);
  EXPECT_NE(k.error().reason.find("flattened"), std::string::npos) << k.error().reason;
  // A plain kdump-compressed file is not flattened.
  r = open_flattened(write(kdump_));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Format);
  // A short file.
  r = open_flattened(write(std::vector<std::byte>(100, std::byte{0})));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Truncated);
}

TEST_F(FlattenedTest, NegativeOffsetIsAFormatError) {
  auto flat = testing::flatten(testing::flat_records(kdump_, 4096));
  testing::put_u64(flat, 4096, static_cast<uint64_t>(-5), /*big_endian=*/true);
  auto r = open_flattened(write(flat));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Format);
  EXPECT_EQ(r.error().offset, 4096u);
}

TEST_F(FlattenedTest, FlattenedElfIsRefusedWithAnExplanation) {
  std::vector<std::byte> elf(64, std::byte{0});
  std::memcpy(elf.data(), "\x7f" "ELF", 4);
  auto r = open_flattened(write(testing::flatten({{0, elf}})));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Format);
  EXPECT_NE(r.error().reason.find("makedumpfile -R"), std::string::npos);
}

TEST_F(FlattenedTest, FlattenedContentErrorsNameLogicalOffsets) {
  // A cut kdump inside a complete flattened stream: the kdump parser's Truncated.
  std::vector<std::byte> cut(kdump_.begin(), kdump_.begin() + 3 * 4096);
  auto r = open_flattened(write(testing::flatten(testing::flat_records(cut, 4096))));
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Truncated);
}

// Random damage to record headers and data: an Error naming the file, or a dump whose
// every range reads or fails cleanly; never a crash or an unbounded loop.
TEST_F(FlattenedTest, RandomDamageGivesErrorsNotCrashes) {
  auto records = testing::flat_records(kdump_, 1024);
  std::mt19937 rng(3);
  std::shuffle(records.begin(), records.end(), rng);
  const auto good = testing::flatten(records);
  uint64_t x = 99;
  auto rnd = [&] { x ^= x << 13; x ^= x >> 7; x ^= x << 17; return x; };
  int opened = 0, failed = 0;
  for (int iter = 0; iter < 300; ++iter) {
    auto b = good;
    for (int i = 0, n = 1 + rnd() % 3; i < n; ++i) {
      // Hit a record header (every record is 16 + 1024 bytes, the last one shorter) or
      // anywhere at all.
      const uint64_t rec = 4096 + (rnd() % records.size()) * (16 + 1024) + rnd() % 16;
      b[rnd() % 2 && rec < b.size() ? rec : rnd() % b.size()] = static_cast<std::byte>(rnd());
    }
    const std::string path = write(b);
    auto d = open_flattened(path);
    if (!d) {
      ++failed;
      EXPECT_EQ(d.error().file, path);
      continue;
    }
    ++opened;
    std::vector<std::byte> page(4096);
    for (const auto& r : d.value()->memory().ranges())
      for (uint64_t a = r.start; a < r.end(); a += 4096) {
        auto rr = d.value()->memory().read(a, page);
        if (!rr) {
          EXPECT_EQ(rr.error().file, path);
        }
      }
    std::filesystem::remove(path);
  }
  EXPECT_GT(opened, 0);
  EXPECT_GT(failed, 0);
}

}  // namespace
}  // namespace vmcap
