#include "elf/kdump/byte_source.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "elf/file_reader.h"

namespace vmcap {

namespace {

uint64_t load_be64(const std::byte* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<uint8_t>(p[i]);
  return v;
}

constexpr char kFlatSignature[] = "makedumpfile";  // in a 16-byte, NUL-padded field

}  // namespace

// --- FileByteSource ----------------------------------------------------------------------

Result<std::unique_ptr<FileByteSource>> FileByteSource::open(const std::string& path) {
  auto reader = VMCAP_TRY(FileReader::open(path));
  return std::make_unique<FileByteSource>(std::move(reader));
}

FileByteSource::FileByteSource(std::unique_ptr<FileReader> reader) : reader_(std::move(reader)) {}
FileByteSource::~FileByteSource() = default;

Result<void> FileByteSource::read_at(uint64_t offset, std::span<std::byte> out) const {
  return reader_->read_at(offset, out);
}
uint64_t FileByteSource::size() const { return reader_->size(); }
const std::string& FileByteSource::path() const { return reader_->path(); }

// --- FlattenedByteSource -----------------------------------------------------------------

bool FlattenedByteSource::has_signature(std::span<const std::byte> head) {
  if (head.size() < 16) return false;
  if (std::memcmp(head.data(), kFlatSignature, sizeof kFlatSignature - 1) != 0) return false;
  for (size_t i = sizeof kFlatSignature - 1; i < 16; ++i)
    if (head[i] != std::byte{0}) return false;
  return true;
}

void FlattenedByteSource::insert(uint64_t start, uint64_t end, uint64_t file_offset) {
  // Cut every existing segment that overlaps [start, end), keeping the parts outside it.
  auto it = segments_.upper_bound(start);
  if (it != segments_.begin()) {
    auto prev = std::prev(it);
    if (prev->second.end > start) it = prev;
  }
  while (it != segments_.end() && it->first < end) {
    const uint64_t s = it->first;
    const Segment seg = it->second;
    it = segments_.erase(it);
    if (s < start) segments_.emplace(s, Segment{start, seg.file_offset});
    if (seg.end > end) {
      segments_.emplace(end, Segment{seg.end, seg.file_offset + (end - s)});
      break;  // segments do not overlap each other: nothing further can reach below end
    }
  }
  segments_.emplace(start, Segment{end, file_offset});
}

Result<std::unique_ptr<FlattenedByteSource>> FlattenedByteSource::open(
    std::shared_ptr<const ByteSource> raw) {
  const std::string& path = raw->path();
  std::array<std::byte, 32> head{};
  if (!raw->contains(0, kHeaderSize))
    return make_error(ErrorKind::Truncated, path, raw->size(),
                      fmt::format("flattened header needs {} bytes, the file has {}",
                                  kHeaderSize, raw->size()));
  VMCAP_CHECK(raw->read_at(0, head));
  if (!has_signature(head))
    return make_error(ErrorKind::Format, path, 0,
                      "no flattened signature \"makedumpfile\" (not a makedumpfile -F file)");
  const uint64_t type = load_be64(head.data() + 16);
  const uint64_t version = load_be64(head.data() + 24);
  if (type != 1)
    return make_error(ErrorKind::Format, path, 16,
                      fmt::format("flattened header type {} (only 1 is known)", type));
  if (version != 1)
    return make_error(ErrorKind::Format, path, 24,
                      fmt::format("flattened header version {} (only 1 is known)", version));

  std::unique_ptr<FlattenedByteSource> src(new FlattenedByteSource(std::move(raw)));
  const ByteSource& file = *src->raw_;
  const uint64_t file_size = file.size();
  uint64_t pos = kHeaderSize;
  // Every record takes at least 16 bytes of the file, so this loop ends within
  // file_size / 16 iterations.
  for (;;) {
    if (!file.contains(pos, kRecordHeaderSize))
      return make_error(ErrorKind::Truncated, path, pos,
                        fmt::format("flattened stream ends after {} records without its "
                                    "end marker {{-1, -1}} (the stream was cut short)",
                                    src->records_));
    std::array<std::byte, kRecordHeaderSize> rec{};
    VMCAP_CHECK(file.read_at(pos, rec));
    const int64_t offset = static_cast<int64_t>(load_be64(rec.data()));
    const int64_t size = static_cast<int64_t>(load_be64(rec.data() + 8));
    if (offset == -1 && size == -1) break;
    if (offset < 0 || size < 0)
      return make_error(ErrorKind::Format, path, pos,
                        fmt::format("flattened record with offset {} and size {}", offset,
                                    size));
    const uint64_t start = static_cast<uint64_t>(offset);
    const uint64_t len = static_cast<uint64_t>(size);
    if (len > UINT64_MAX - start)
      return make_error(ErrorKind::Format, path, pos,
                        fmt::format("flattened record [{:#x} + {:#x}) overflows", start, len));
    const uint64_t data = pos + kRecordHeaderSize;
    if (!file.contains(data, len))
      return make_error(ErrorKind::Truncated, path, data,
                        fmt::format("flattened record of {} bytes for logical offset {:#x} "
                                    "runs past the end of the file ({} bytes)",
                                    len, start, file_size));
    if (len > 0) {
      src->insert(start, start + len, data);
      src->logical_size_ = std::max(src->logical_size_, start + len);
    }
    ++src->records_;
    pos = data + len;
  }
  return src;
}

Result<void> FlattenedByteSource::read_at(uint64_t offset, std::span<std::byte> out) const {
  if (!contains(offset, out.size()))
    return make_error(ErrorKind::Truncated, path(), offset,
                      fmt::format("read of {} bytes past the end of the flattened content "
                                  "({} bytes)",
                                  out.size(), logical_size_));
  uint64_t cur = offset;
  size_t done = 0;
  auto it = segments_.upper_bound(cur);
  if (it != segments_.begin()) --it;
  while (done < out.size()) {
    while (it != segments_.end() && it->second.end <= cur) ++it;
    const size_t want = out.size() - done;
    if (it == segments_.end() || it->first > cur) {
      // A gap no record wrote: zeros, like the sparse file makedumpfile -R leaves.
      uint64_t gap_end = it == segments_.end() ? offset + out.size() : it->first;
      const size_t n = static_cast<size_t>(std::min<uint64_t>(want, gap_end - cur));
      std::memset(out.data() + done, 0, n);
      done += n;
      cur += n;
      continue;
    }
    const size_t n = static_cast<size_t>(std::min<uint64_t>(want, it->second.end - cur));
    VMCAP_CHECK(raw_->read_at(it->second.file_offset + (cur - it->first),
                              out.subspan(done, n)));
    done += n;
    cur += n;
  }
  return ok();
}

bool FlattenedByteSource::stored(uint64_t offset, uint64_t length) const {
  if (!contains(offset, length)) return false;
  const uint64_t end = offset + length;
  auto it = segments_.upper_bound(offset);
  if (it != segments_.begin()) --it;
  // Each step moves past one segment: bounded by their count.
  for (uint64_t cur = offset; cur < end; cur = (it++)->second.end)
    if (it == segments_.end() || it->first > cur || it->second.end <= cur) return false;
  return true;
}

}  // namespace vmcap
