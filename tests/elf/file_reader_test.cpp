#include "elf/file_reader.h"

#include <gtest/gtest.h>

#include "tests/support/synthetic_vmcore.h"
#include "tests/support/temp_dir.h"

namespace vmcap {
namespace {

using testing::SyntheticVmcore;
using testing::TempDir;

class FileReaderTest : public ::testing::TestWithParam<bool> {
 protected:
  FileReaderOptions options() const {
    FileReaderOptions o;
    o.use_mmap = GetParam();
    o.window_size = 4096;  // tiny windows so reads cross them and evict old ones
    return o;
  }
};

TEST_P(FileReaderTest, ReadsExactBytesAcrossWindows) {
  TempDir dir;
  auto data = SyntheticVmcore::random_bytes(6 * 4096 + 123, 7);
  ASSERT_TRUE(SyntheticVmcore::write_file(dir.file("f"), data));
  auto r = FileReader::open(dir.file("f"), options());
  ASSERT_TRUE(r) << r.error().message();
  const FileReader& f = **r;
  EXPECT_EQ(f.size(), data.size());
  EXPECT_EQ(f.path(), dir.file("f"));
  EXPECT_EQ(f.uses_mmap(), GetParam());

  // Whole file at once (crosses all 7 windows, more than kMaxWindows).
  std::vector<std::byte> all(data.size());
  ASSERT_TRUE(f.read_at(0, all));
  EXPECT_EQ(all, data);
  // Scattered reads, revisiting evicted windows.
  for (uint64_t off : {4090ull, 0ull, 20000ull, 8191ull, 24576ull, 100ull}) {
    std::vector<std::byte> buf(std::min<uint64_t>(300, data.size() - off));
    ASSERT_TRUE(f.read_at(off, buf)) << off;
    EXPECT_TRUE(std::equal(buf.begin(), buf.end(), data.begin() + off)) << off;
  }
  // The last byte, and an empty read at the end.
  std::byte last[1];
  ASSERT_TRUE(f.read_at(data.size() - 1, last));
  EXPECT_EQ(last[0], data.back());
  ASSERT_TRUE(f.read_at(data.size(), std::span<std::byte>()));
}

TEST_P(FileReaderTest, ReadPastEndIsTruncatedNamingFileAndOffset) {
  TempDir dir;
  auto data = SyntheticVmcore::random_bytes(1000);
  ASSERT_TRUE(SyntheticVmcore::write_file(dir.file("f"), data));
  auto f = FileReader::open(dir.file("f"), options());
  ASSERT_TRUE(f);
  std::vector<std::byte> buf(100);
  auto r = (*f)->read_at(950, buf);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Truncated);
  EXPECT_EQ(r.error().file, dir.file("f"));
  EXPECT_EQ(r.error().offset, 1000u);  // the first byte the file does not have
  EXPECT_NE(r.error().message().find(dir.file("f")), std::string::npos);

  auto far = (*f)->read_at(5000, buf);
  ASSERT_FALSE(far);
  EXPECT_EQ(far.error().offset, 5000u);
  // offset + length overflowing 64 bits is not "inside".
  auto wrap = (*f)->read_at(~0ull - 10, buf);
  ASSERT_FALSE(wrap);
  EXPECT_EQ(wrap.error().kind, ErrorKind::Truncated);
  EXPECT_FALSE((*f)->contains(~0ull - 10, 100));
  EXPECT_TRUE((*f)->contains(900, 100));
  EXPECT_FALSE((*f)->contains(900, 101));
}

INSTANTIATE_TEST_SUITE_P(PreadAndMmap, FileReaderTest, ::testing::Bool(),
                         [](const auto& info) { return info.param ? "mmap" : "pread"; });

TEST(FileReader, RefusesDirectoriesAndMissingFiles) {
  TempDir dir;
  auto d = FileReader::open(dir.path());
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error().kind, ErrorKind::Usage);
  EXPECT_NE(d.error().reason.find("directory"), std::string::npos);
  EXPECT_EQ(d.error().file, dir.path());

  auto m = FileReader::open(dir.file("does-not-exist"));
  ASSERT_FALSE(m);
  EXPECT_EQ(m.error().kind, ErrorKind::Io);
  EXPECT_NE(m.error().reason.find("No such file"), std::string::npos);
}

TEST(FileReader, RefusesCharacterDevices) {
  auto r = FileReader::open("/dev/null");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Usage);
}

}  // namespace
}  // namespace vmcap
