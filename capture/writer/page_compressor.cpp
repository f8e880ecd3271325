#include "capture/writer/page_compressor.h"

#include <zlib.h>
#include <zstd.h>

#include "capture/writer/incompressible.h"

namespace vmcap {

const char* compression_name(Compression c) {
  switch (c) {
    case Compression::Zlib: return "zlib";
    case Compression::Zstd: return "zstd";
    default: return "none";
  }
}

uint32_t compression_flag(Compression c) {
  switch (c) {
    case Compression::Zlib: return 0x1;
    case Compression::Zstd: return 0x20;
    default: return 0;
  }
}

int default_compression_level(Compression c) {
  // zlib: makedumpfile's Z_BEST_SPEED. zstd: chosen by scripts/bench-filter.sh on the
  // 3.5 GiB 6.1-big vmcore (capture/writer/README.md): on 4 KiB pages most of level 1's time
  // is Huffman-coding the literals; level -1 skips that, is 1.5x faster for 11% more bytes,
  // and is the only level as fast as makedumpfile -l at -d 31.
  switch (c) {
    case Compression::Zlib: return 1;
    case Compression::Zstd: return -1;
    default: return 0;
  }
}

struct PageCompressor::State {
  ZSTD_CCtx* zstd = nullptr;
  z_stream zlib{};
  bool zlib_ready = false;
  ~State() {
    if (zstd) ZSTD_freeCCtx(zstd);
    if (zlib_ready) deflateEnd(&zlib);
  }
};

PageCompressor::PageCompressor(Compression method, int level)
    : method_(method), level_(level == 0 ? default_compression_level(method) : level),
      state_(std::make_unique<State>()) {
  if (method_ == Compression::Zstd) {
    state_->zstd = ZSTD_createCCtx();
    if (state_->zstd) ZSTD_CCtx_setParameter(state_->zstd, ZSTD_c_compressionLevel, level_);
  } else if (method_ == Compression::Zlib) {
    // deflateInit's defaults, as compress2() uses: the same bytes makedumpfile writes.
    state_->zlib_ready = deflateInit(&state_->zlib, level_) == Z_OK;
  }
}

PageCompressor::~PageCompressor() = default;

size_t PageCompressor::compress(std::span<const std::byte> page, std::span<std::byte> out) {
  // Only a strictly smaller result is worth a decompression on every read.
  const size_t limit = std::min(out.size(), page.size() == 0 ? 0 : page.size() - 1);
  if (limit == 0) return 0;
  if (method_ == Compression::Zstd && state_->zstd) {
    // Only for zstd: zlib output stays makedumpfile -c's, byte for byte.
    if (looks_incompressible(page)) return 0;
    const size_t n = ZSTD_compress2(state_->zstd, out.data(), limit, page.data(), page.size());
    return ZSTD_isError(n) ? 0 : n;
  }
  if (method_ == Compression::Zlib && state_->zlib_ready) {
    z_stream& z = state_->zlib;
    if (deflateReset(&z) != Z_OK) return 0;
    z.next_in = reinterpret_cast<Bytef*>(const_cast<std::byte*>(page.data()));
    z.avail_in = static_cast<uInt>(page.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(limit);
    const int r = deflate(&z, Z_FINISH);
    return r == Z_STREAM_END ? limit - z.avail_out : 0;
  }
  return 0;
}

}  // namespace vmcap
