#include "elf/kdump/zstd_seek_table.h"

#include <fmt/format.h>
#include <zstd.h>

#include <algorithm>
#include <array>

namespace vmcap::zstd_seekable {

namespace {

void put_le32(std::vector<std::byte>& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out.push_back(std::byte(v >> (8 * i)));
}

uint32_t load_le32(const std::byte* p) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

// Entries are read this many at a time: memory stays small whatever the count says.
constexpr uint64_t kEntriesPerRead = 4096;

}  // namespace

std::vector<std::byte> encode_seek_table(std::span<const FrameSizes> frames) {
  std::vector<std::byte> out;
  const uint64_t body = frames.size() * 8 + kFooterBytes;
  out.reserve(kFrameHeaderBytes + body);
  put_le32(out, kSkippableMagic);
  put_le32(out, static_cast<uint32_t>(body));
  for (const FrameSizes& f : frames) {
    put_le32(out, f.compressed);
    put_le32(out, f.content);
  }
  put_le32(out, static_cast<uint32_t>(frames.size()));
  out.push_back(std::byte{0});  // descriptor: no checksums
  put_le32(out, kSeekableMagic);
  return out;
}

bool ends_with_seek_table(const ByteSource& file) {
  std::array<std::byte, 4> tail{};
  if (file.size() < tail.size() || !file.read_at(file.size() - tail.size(), tail)) return false;
  return load_le32(tail.data()) == kSeekableMagic;
}

Result<SeekTable> decode_seek_table(const ByteSource& file) {
  const std::string& path = file.path();
  const uint64_t size = file.size();
  if (size < kFrameHeaderBytes + kFooterBytes)
    return make_error(ErrorKind::Truncated, path, size,
                      fmt::format("{} bytes: too short for a zstd seek table", size));
  const uint64_t footer_at = size - kFooterBytes;
  std::array<std::byte, kFooterBytes> footer{};
  VMCAP_CHECK(file.read_at(footer_at, footer));
  if (load_le32(footer.data() + 5) != kSeekableMagic)
    return make_error(ErrorKind::Format, path, footer_at + 5,
                      "no zstd seek table: the file does not end with the seekable magic "
                      "0x8F92EAB1 (cut short, or not written by vmcap filter --format flat-zstd)");
  const uint32_t count = load_le32(footer.data());
  const uint8_t descriptor = static_cast<uint8_t>(footer[4]);
  if (descriptor & kReservedBits)
    return make_error(ErrorKind::Format, path, footer_at + 4,
                      fmt::format("seek table descriptor {:#04x} sets reserved bits", descriptor));
  const uint64_t entry_bytes = (descriptor & kChecksumFlag) ? 12 : 8;
  if (count > kMaxFrames)
    return make_error(ErrorKind::Limit, path, footer_at,
                      fmt::format("seek table lists {} frames, more than vmcap reads ({})", count,
                                  kMaxFrames));
  const uint64_t body = count * entry_bytes + kFooterBytes;
  if (body + kFrameHeaderBytes > size)
    return make_error(ErrorKind::Truncated, path, footer_at,
                      fmt::format("seek table of {} frames needs {} bytes, the file has {}", count,
                                  body + kFrameHeaderBytes, size));
  SeekTable t;
  t.table_offset = size - body - kFrameHeaderBytes;
  std::array<std::byte, kFrameHeaderBytes> head{};
  VMCAP_CHECK(file.read_at(t.table_offset, head));
  if (load_le32(head.data()) != kSkippableMagic || load_le32(head.data() + 4) != body)
    return make_error(ErrorKind::Format, path, t.table_offset,
                      fmt::format("seek table of {} frames: expected a skippable frame "
                                  "(0x184D2A5E, {} bytes) here, found {:#010x}, {} bytes",
                                  count, body, load_le32(head.data()), load_le32(head.data() + 4)));

  t.frames.reserve(count);
  std::vector<std::byte> chunk;
  uint64_t file_offset = 0, content_offset = 0;
  for (uint64_t first = 0; first < count; first += kEntriesPerRead) {
    const uint64_t n = std::min<uint64_t>(kEntriesPerRead, count - first);
    const uint64_t at = t.table_offset + kFrameHeaderBytes + first * entry_bytes;
    chunk.resize(n * entry_bytes);
    VMCAP_CHECK(file.read_at(at, chunk));
    for (uint64_t i = 0; i < n; ++i) {
      const std::byte* e = chunk.data() + i * entry_bytes;
      Frame f{file_offset, content_offset, load_le32(e), load_le32(e + 4)};
      const uint64_t entry_at = at + i * entry_bytes;
      if (f.content > kMaxFrameContent)
        return make_error(ErrorKind::Limit, path, entry_at,
                          fmt::format("seek table frame {}: {} bytes of content, more than "
                                      "vmcap decompresses at once ({})",
                                      first + i, f.content, kMaxFrameContent));
      if (f.content > 0 && f.compressed > ZSTD_compressBound(f.content) + 32)
        return make_error(ErrorKind::Format, path, entry_at,
                          fmt::format("seek table frame {}: {} compressed bytes for {} bytes of "
                                      "content, more than zstd ever writes",
                                      first + i, f.compressed, f.content));
      if (f.compressed > t.table_offset - file_offset)
        return make_error(ErrorKind::Format, path, entry_at,
                          fmt::format("seek table frame {} at {:#x}: its {} bytes run past the "
                                      "seek table at {:#x}",
                                      first + i, file_offset, f.compressed, t.table_offset));
      file_offset += f.compressed;
      content_offset += f.content;  // <= 2^22 * 2^24: no overflow
      t.frames.push_back(f);
    }
  }
  if (file_offset != t.table_offset)
    return make_error(ErrorKind::Format, path, file_offset,
                      fmt::format("the seek table's {} frames end at {:#x}, but the table starts "
                                  "at {:#x}",
                                  count, file_offset, t.table_offset));
  const uint64_t cap = std::max(kMinContentCap, size * kMaxExpansion);
  if (content_offset > cap)
    return make_error(ErrorKind::Limit, path, t.table_offset,
                      fmt::format("the seek table's frames hold {} bytes of content, more than "
                                  "{}x the file ({} bytes)",
                                  content_offset, kMaxExpansion, size));
  t.content_size = content_offset;
  return t;
}

size_t frame_at(const SeekTable& table, uint64_t offset) {
  // The last frame starting at or before offset: empty frames (content 0) sharing a start
  // with the next one are passed over.
  auto it = std::upper_bound(table.frames.begin(), table.frames.end(), offset,
                             [](uint64_t o, const Frame& f) { return o < f.content_offset; });
  return static_cast<size_t>(it - table.frames.begin()) - 1;
}

}  // namespace vmcap::zstd_seekable
