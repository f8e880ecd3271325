#include "elf/kdump/decompress.h"

#include <fmt/format.h>
#include <lzo/lzo1x.h>
#include <snappy-c.h>
#include <zlib.h>
#include <zstd.h>

#include <climits>

namespace vmcap::kdump {

namespace {

std::string wrong_length(const char* name, uint64_t got, size_t want) {
  return fmt::format("{} produced {} bytes instead of {}", name, got, want);
}

struct ZlibStream {
  z_stream z{};
  bool ok = false;
  ZlibStream() { ok = inflateInit(&z) == Z_OK; }
  ~ZlibStream() {
    if (ok) inflateEnd(&z);
  }
};

z_stream* zlib_stream() {
  thread_local ZlibStream s;
  return s.ok ? &s.z : nullptr;
}

bool lzo_ready() {
  static const bool ready = lzo_init() == LZO_E_OK;
  return ready;
}

}  // namespace

const char* compression_name(uint32_t method) {
  switch (method) {
    case kFlagZlib: return "zlib";
    case kFlagLzo: return "lzo";
    case kFlagSnappy: return "snappy";
    case kFlagZstd: return "zstd";
    case 0: return "none";
    default: return "unknown";
  }
}

std::string decompress_page(uint32_t method, std::span<const std::byte> in,
                            std::span<std::byte> out) {
  if (in.size() > UINT_MAX || out.size() > UINT_MAX) return "page too large";
  switch (method) {
    case kFlagZlib: {
      // One inflate state per thread, reset per page: uncompress() would allocate and
      // free its 40 KiB state for every page.
      z_stream* z = zlib_stream();
      if (!z) return "zlib: inflateInit failed";
      if (inflateReset(z) != Z_OK) return "zlib: inflateReset failed";
      z->next_in = const_cast<Bytef*>(reinterpret_cast<const Bytef*>(in.data()));
      z->avail_in = static_cast<uInt>(in.size());
      z->next_out = reinterpret_cast<Bytef*>(out.data());
      z->avail_out = static_cast<uInt>(out.size());
      const int rc = inflate(z, Z_FINISH);
      if (rc == Z_BUF_ERROR && z->avail_out == 0)
        return "zlib: the page decompresses to more than a block";
      if (rc == Z_BUF_ERROR) return wrong_length("zlib", z->total_out, out.size()) + " (stream ends early)";
      if (rc != Z_STREAM_END)
        return fmt::format("zlib: {} ({})", z->msg ? z->msg : zError(rc), rc);
      if (z->total_out != out.size()) return wrong_length("zlib", z->total_out, out.size());
      return {};
    }
    case kFlagLzo: {
      if (!lzo_ready()) return "lzo: lzo_init failed";
      lzo_uint len = out.size();
      const int rc = lzo1x_decompress_safe(reinterpret_cast<const unsigned char*>(in.data()),
                                           in.size(),
                                           reinterpret_cast<unsigned char*>(out.data()), &len,
                                           nullptr);
      if (rc == LZO_E_OUTPUT_OVERRUN) return "lzo: the page decompresses to more than a block";
      if (rc != LZO_E_OK) return fmt::format("lzo: decompression failed ({})", rc);
      if (len != out.size()) return wrong_length("lzo", len, out.size());
      return {};
    }
    case kFlagSnappy: {
      size_t expect = 0;
      const char* src = reinterpret_cast<const char*>(in.data());
      if (snappy_uncompressed_length(src, in.size(), &expect) != SNAPPY_OK)
        return "snappy: bad length preamble";
      if (expect != out.size()) return wrong_length("snappy", expect, out.size());
      size_t len = out.size();
      if (snappy_uncompress(src, in.size(), reinterpret_cast<char*>(out.data()), &len) !=
          SNAPPY_OK)
        return "snappy: decompression failed";
      if (len != out.size()) return wrong_length("snappy", len, out.size());
      return {};
    }
    case kFlagZstd: {
      const size_t rc = ZSTD_decompress(out.data(), out.size(), in.data(), in.size());
      if (ZSTD_isError(rc)) return fmt::format("zstd: {}", ZSTD_getErrorName(rc));
      if (rc != out.size()) return wrong_length("zstd", rc, out.size());
      return {};
    }
    default:
      return fmt::format("unknown compression flags {:#x}", method);
  }
}

}  // namespace vmcap::kdump
