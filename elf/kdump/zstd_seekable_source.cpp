#include "elf/kdump/zstd_seekable_source.h"

#include <fmt/format.h>
#include <zstd.h>

#include <cstring>

namespace vmcap {

bool ZstdSeekableByteSource::has_signature(std::span<const std::byte> head) {
  static constexpr uint8_t kMagic[4] = {0x28, 0xb5, 0x2f, 0xfd};
  if (head.size() < 4) return false;
  for (int i = 0; i < 4; ++i)
    if (static_cast<uint8_t>(head[i]) != kMagic[i]) return false;
  return true;
}

Result<std::unique_ptr<ZstdSeekableByteSource>> ZstdSeekableByteSource::open(
    std::shared_ptr<const ByteSource> file) {
  auto table = VMCAP_TRY(zstd_seekable::decode_seek_table(*file));
  return std::unique_ptr<ZstdSeekableByteSource>(
      new ZstdSeekableByteSource(std::move(file), std::move(table)));
}

uint64_t ZstdSeekableByteSource::frames_decompressed() const {
  std::lock_guard lock(mutex_);
  return decompressed_;
}

Result<ZstdSeekableByteSource::FrameBytes> ZstdSeekableByteSource::decompress(size_t index) const {
  const zstd_seekable::Frame& f = table_.frames[index];
  const std::string& p = path();
  auto bad = [&](const std::string& what) {
    return make_error(ErrorKind::Format, p, f.file_offset,
                      fmt::format("zstd frame {} ({} bytes for content {:#x}+{:#x}): {}", index,
                                  f.compressed, f.content_offset, f.content, what));
  };
  // Sizes are bounded by decode_seek_table (content <= 16 MiB, compressed <= its bound).
  std::vector<std::byte> in(f.compressed);
  VMCAP_CHECK(file_->read_at(f.file_offset, in));
  if (ZSTD_findFrameCompressedSize(in.data(), in.size()) != in.size())
    return bad("not exactly one zstd frame of that size");
  const unsigned long long declared = ZSTD_getFrameContentSize(in.data(), in.size());
  if (declared != ZSTD_CONTENTSIZE_UNKNOWN && declared != f.content)
    return bad(fmt::format("its header says {} bytes of content", declared));
  auto out = std::make_shared<std::vector<std::byte>>(f.content);
  std::unique_ptr<ZSTD_DCtx, size_t (*)(ZSTD_DCtx*)> dctx(ZSTD_createDCtx(), ZSTD_freeDCtx);
  if (!dctx) return make_error(ErrorKind::Io, p, f.file_offset, "zstd: out of memory");
  const size_t n = ZSTD_decompressDCtx(dctx.get(), out->data(), out->size(), in.data(), in.size());
  if (ZSTD_isError(n)) return bad(std::string("zstd: ") + ZSTD_getErrorName(n));
  if (n != f.content) return bad(fmt::format("decompressed to {} bytes", n));
  return FrameBytes(std::move(out));
}

Result<ZstdSeekableByteSource::FrameBytes> ZstdSeekableByteSource::frame(size_t index) const {
  {
    std::lock_guard lock(mutex_);
    for (auto it = cache_.begin(); it != cache_.end(); ++it)
      if (it->first == index) {
        cache_.splice(cache_.begin(), cache_, it);
        return cache_.front().second;
      }
  }
  // Decompressed outside the lock: other threads' reads of cached frames go on meanwhile.
  FrameBytes bytes = VMCAP_TRY(decompress(index));
  std::lock_guard lock(mutex_);
  ++decompressed_;
  cache_.emplace_front(index, bytes);
  if (cache_.size() > kCachedFrames) cache_.pop_back();
  return bytes;
}

Result<void> ZstdSeekableByteSource::read_at(uint64_t offset, std::span<std::byte> out) const {
  if (!contains(offset, out.size()))
    return make_error(ErrorKind::Truncated, path(), offset,
                      fmt::format("read of {} bytes past the end of the zstd content ({} bytes)",
                                  out.size(), size()));
  size_t done = 0;
  // Each step consumes at least one byte of a frame with content: bounded by out.size().
  while (done < out.size()) {
    const uint64_t at = offset + done;
    const size_t index = zstd_seekable::frame_at(table_, at);
    const zstd_seekable::Frame& f = table_.frames[index];
    FrameBytes bytes = VMCAP_TRY(frame(index));
    const uint64_t within = at - f.content_offset;
    const size_t n = static_cast<size_t>(std::min<uint64_t>(out.size() - done, f.content - within));
    std::memcpy(out.data() + done, bytes->data() + within, n);
    done += n;
  }
  return ok();
}

}  // namespace vmcap
