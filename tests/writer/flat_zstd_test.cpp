// The flat-zstd core: ZstdSeekableSink's frames and seek table (zstd's seekable format),
// read back through ZstdSeekableByteSource byte for byte across frame boundaries, one
// frame decompressed per read inside it, the same bytes whatever the thread count; a
// damaged table or frame refused with what is wrong; and a whole kdump written as
// flat-zstd opened by open_dump with every kept page identical to the source's.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "capture/writer/fd_stream_sink.h"
#include "capture/writer/flattened_sink.h"
#include "capture/writer/zstd_seekable_sink.h"
#include "elf/kdump/kdump.h"
#include "elf/kdump/zstd_seekable_source.h"
#include "elf/open_dump.h"
#include "tests/support/temp_dir.h"
#include "tests/writer/writer_fixture.h"

namespace vmcap {
namespace {

using testing::TempDir;

class VectorStreamSink final : public StreamSink {
 public:
  Result<void> write(std::span<const std::byte> bytes) override {
    bytes_.insert(bytes_.end(), bytes.begin(), bytes.end());
    return ok();
  }
  Result<void> finish() override {
    finished_ = true;
    return ok();
  }
  std::vector<std::byte> bytes_;
  bool finished_ = false;
};

class MemoryByteSource final : public ByteSource {
 public:
  explicit MemoryByteSource(std::vector<std::byte> b) : bytes_(std::move(b)) {}
  Result<void> read_at(uint64_t offset, std::span<std::byte> out) const override {
    if (!contains(offset, out.size())) return make_error(ErrorKind::Truncated, path_, offset, "past the end");
    std::memcpy(out.data(), bytes_.data() + offset, out.size());
    return ok();
  }
  uint64_t size() const override { return bytes_.size(); }
  const std::string& path() const override { return path_; }
  std::vector<std::byte> bytes_;
  std::string path_ = "memory";
};

// Text-like bytes (compressible, but not all alike) of n bytes.
std::vector<std::byte> content(size_t n) {
  std::vector<std::byte> c(n);
  for (size_t i = 0; i < n; ++i) c[i] = std::byte((i * 7 + (i >> 9)) % 61 + 'A');
  return c;
}

std::vector<std::byte> seekable(const std::vector<std::byte>& c, unsigned threads, size_t piece,
                                uint32_t frame_bytes = 4096) {
  VectorStreamSink out;
  ZstdSeekableSink sink(out, SeekableOptions{.frame_bytes = frame_bytes, .threads = threads});
  for (size_t at = 0; at < c.size(); at += piece)
    EXPECT_TRUE(sink.write(std::span(c).subspan(at, std::min(piece, c.size() - at))));
  EXPECT_TRUE(sink.finish());
  EXPECT_TRUE(out.finished_);
  EXPECT_EQ(sink.content_bytes(), c.size());
  EXPECT_EQ(sink.compressed_bytes(), out.bytes_.size());
  return out.bytes_;
}

Result<std::unique_ptr<ZstdSeekableByteSource>> open_bytes(std::vector<std::byte> b) {
  return ZstdSeekableByteSource::open(std::make_shared<MemoryByteSource>(std::move(b)));
}

uint32_t le32(const std::vector<std::byte>& b, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(b[at + i]);
  return v;
}
void set_le32(std::vector<std::byte>& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i) b[at + i] = std::byte(v >> (8 * i));
}

TEST(FlatZstd, FramesOfFrameBytesAndTheTableAtTheEnd) {
  const auto c = content(3 * 4096 + 2048);
  const auto file = seekable(c, 1, 1000);
  auto src = open_bytes(file);
  ASSERT_TRUE(src) << src.error().message();
  const auto& t = (*src)->table();
  ASSERT_EQ(t.frames.size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(t.frames[i].content, i < 3 ? 4096u : 2048u);
    EXPECT_EQ(t.frames[i].content_offset, i * 4096);
    EXPECT_EQ(le32(file, t.frames[i].file_offset), zstd_seekable::kZstdFrameMagic);
  }
  EXPECT_EQ(t.content_size, c.size());
  EXPECT_EQ(t.table_offset + 8 + 4 * 8 + 9, file.size());
  EXPECT_EQ(le32(file, file.size() - 4), zstd_seekable::kSeekableMagic);
  EXPECT_EQ(le32(file, file.size() - 9), 4u);
}

TEST(FlatZstd, ReadsAcrossFrameBoundariesByteForByte) {
  const auto c = content(5 * 4096 + 77);
  auto src = open_bytes(seekable(c, 2, 333));
  ASSERT_TRUE(src) << src.error().message();
  for (uint64_t edge : {0ull, 4096ull, 8192ull, 20480ull})
    for (uint64_t start : {edge, edge + 1, edge == 0 ? 0 : edge - 1, edge == 0 ? 0 : edge - 100})
      for (size_t len : {1ul, 100ul, 4096ul, 9000ul}) {
        if (start + len > c.size()) continue;
        std::vector<std::byte> got(len);
        ASSERT_TRUE((*src)->read_at(start, got)) << start << "+" << len;
        EXPECT_TRUE(std::equal(got.begin(), got.end(), c.begin() + start)) << start << "+" << len;
      }
  std::vector<std::byte> all(c.size());
  ASSERT_TRUE((*src)->read_at(0, all));
  EXPECT_EQ(all, c);
  std::vector<std::byte> past(2);
  auto r = (*src)->read_at(c.size() - 1, past);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().kind, ErrorKind::Truncated);
}

TEST(FlatZstd, AReadDecompressesOnlyItsFrames) {
  const auto c = content(10 * 4096);
  auto src = open_bytes(seekable(c, 1, 4096));
  ASSERT_TRUE(src);
  std::vector<std::byte> one(16);
  ASSERT_TRUE((*src)->read_at(7 * 4096 + 5, one));
  EXPECT_EQ((*src)->frames_decompressed(), 1u);
  ASSERT_TRUE((*src)->read_at(7 * 4096 + 100, one));  // cached
  EXPECT_EQ((*src)->frames_decompressed(), 1u);
  std::vector<std::byte> two(32);
  ASSERT_TRUE((*src)->read_at(3 * 4096 - 16, two));  // frames 2 and 3
  EXPECT_EQ((*src)->frames_decompressed(), 3u);
}

TEST(FlatZstd, SameBytesWhateverTheThreadCount) {
  const auto c = content(40 * 4096 + 5);
  const auto one = seekable(c, 1, 4096);
  EXPECT_EQ(seekable(c, 3, 777), one);
  EXPECT_EQ(seekable(c, 8, 100000), one);
}

TEST(FlatZstd, EmptyStreamIsATableAlone) {
  auto file = seekable({}, 2, 1);
  EXPECT_EQ(file.size(), 8u + 9u);
  auto src = open_bytes(file);
  ASSERT_TRUE(src) << src.error().message();
  EXPECT_EQ((*src)->size(), 0u);
  EXPECT_TRUE((*src)->table().frames.empty());
}

TEST(FlatZstd, DamagedTablesAndFramesAreRefused) {
  const auto c = content(4 * 4096);
  const auto good = seekable(c, 1, 4096);
  const size_t n = good.size();
  const size_t entries = n - 9 - 4 * 8;  // first entry
  auto refused = [&](std::vector<std::byte> bad, const char* what) {
    auto src = open_bytes(std::move(bad));
    if (!src) return src.error().message();
    // Opened: a read of everything must then fail.
    std::vector<std::byte> all((*src)->size());
    auto r = (*src)->read_at(0, all);
    EXPECT_FALSE(r) << what;
    return r ? std::string("read everything") : r.error().message();
  };
  auto b = good;
  b.resize(n - 1);
  EXPECT_NE(refused(b, "cut").find("seekable magic"), std::string::npos);
  b = good;
  b[n - 5] = std::byte{0x04};  // reserved bit
  EXPECT_NE(refused(b, "reserved").find("reserved"), std::string::npos);
  b = good;
  set_le32(b, n - 9, 5);  // one frame more than the table holds
  EXPECT_NE(refused(b, "count").find("skippable"), std::string::npos);
  b = good;
  set_le32(b, n - 9, 0xffffffff);
  EXPECT_NE(refused(b, "huge count").find("frames"), std::string::npos);
  b = good;
  set_le32(b, entries, le32(b, entries) + 1);  // frames no longer end at the table
  EXPECT_NE(refused(b, "sum").find("seek table"), std::string::npos);
  b = good;
  set_le32(b, entries + 4, 64u << 20);  // content beyond the cap
  EXPECT_NE(refused(b, "cap").find("decompresses at once"), std::string::npos);
  b = good;
  set_le32(b, entries + 4, 4095);  // content size the frame does not have
  EXPECT_NE(refused(b, "content").find("4096"), std::string::npos);
  b = good;
  {  // two frames' compressed sizes exchanged: the sum still fits, the frames do not
    const uint32_t a = le32(b, entries), s = le32(b, entries + 8);
    set_le32(b, entries, a + 1);
    set_le32(b, entries + 8, s - 1);
  }
  EXPECT_NE(refused(b, "split").find("exactly one zstd frame"), std::string::npos);
  b = good;
  b[le32(good, entries) / 2] ^= std::byte{0x40};  // inside frame 0's data: its checksum fails
  EXPECT_NE(refused(b, "flip").find("zstd frame 0"), std::string::npos);
}

// n frames of 10 garbage bytes each claiming 16 MiB of content (the per-frame cap).
std::vector<std::byte> claimed_frames(size_t n) {
  std::vector<std::byte> file(n * 10, std::byte{0x5a});
  std::vector<zstd_seekable::FrameSizes> sizes(n, {10, zstd_seekable::kMaxFrameContent});
  const auto table = zstd_seekable::encode_seek_table(sizes);
  file.insert(file.end(), table.begin(), table.end());
  return file;
}

TEST(FlatZstd, ContentIsBoundedByTheFileSize) {
  // A small file: the floor (256 MiB) is the cap. Exactly at it the table is accepted.
  static_assert(zstd_seekable::kMinContentCap == 16 * zstd_seekable::kMaxFrameContent);
  auto at = open_bytes(claimed_frames(16));
  ASSERT_TRUE(at) << at.error().message();
  EXPECT_EQ((*at)->size(), zstd_seekable::kMinContentCap);
  std::vector<std::byte> one(1);
  EXPECT_FALSE((*at)->read_at(0, one));  // the garbage frame itself is refused
  auto past = open_bytes(claimed_frames(17));
  ASSERT_FALSE(past);
  EXPECT_EQ(past.error().kind, ErrorKind::Limit);
  EXPECT_NE(past.error().reason.find("1024x the file"), std::string::npos) << past.error().reason;
}

TEST(FlatZstd, KdumpWrittenAsFlatZstdReadsBackPageByPage) {
  TempDir dir;
  testing::WriterSource src = testing::make_writer_source(dir.path());
  ASSERT_TRUE(src.dump);
  const std::string path = dir.file("out.flat.zst");
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ASSERT_GE(fd, 0);
  {
    FdStreamSink file(fd, path);
    ZstdSeekableSink frames(file, SeekableOptions{.frame_bytes = 64 << 10, .threads = 2});
    FlattenedSink flat(frames);
    WriteOptions o;
    o.compression = Compression::None;
    o.batch_pages = 7;
    auto r = write_kdump(src.dump->memory(), src.keep, testing::header_fields_for(*src.dump, 31), o, flat);
    ASSERT_TRUE(r) << r.error().message();
    EXPECT_GT(frames.frames(), 1u);
  }
  ::close(fd);
  auto d = open_dump(path);
  ASSERT_TRUE(d) << d.error().message();
  EXPECT_EQ((*d)->format(), "flat-zstd");
  const uint64_t dumped = kdump_info(**d)->dumped_pages;
  EXPECT_GT(dumped, 200u);
  EXPECT_EQ(testing::expect_pages_match(*src.dump, **d, src.keep), dumped);

  // zstd itself skips the seek table: the file decompresses to the flattened stream.
  if (std::system("zstd --version > /dev/null 2>&1") == 0) {
    const std::string flat = dir.file("out.flat");
    ASSERT_EQ(std::system(("zstd -q -d -c " + path + " > " + flat).c_str()), 0);
    auto f = open_dump(flat);
    ASSERT_TRUE(f) << f.error().message();
    EXPECT_EQ((*f)->format(), "flattened");
    EXPECT_EQ(testing::expect_pages_match(*src.dump, **f, src.keep), dumped);
  }

  // Cut short: refused when opened, naming the file.
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 100);
  auto cut = open_dump(path);
  ASSERT_FALSE(cut);
  EXPECT_NE(cut.error().message().find(path), std::string::npos) << cut.error().message();
}

}  // namespace
}  // namespace vmcap
