// Compresses one page at a time, the way makedumpfile does (each page alone, zlib level 1
// by default); one object per thread, holding its zstd context / zlib stream for reuse.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>

namespace vmcap {

enum class Compression { None, Zlib, Zstd };

// "none", "zlib", "zstd".
const char* compression_name(Compression c);
// The kdump page_desc flag (and header status bit) of a method: 0, 0x1, 0x20.
uint32_t compression_flag(Compression c);
// The level used when the caller says 0.
int default_compression_level(Compression c);

class PageCompressor {
 public:
  PageCompressor(Compression method, int level);
  ~PageCompressor();
  PageCompressor(const PageCompressor&) = delete;
  PageCompressor& operator=(const PageCompressor&) = delete;

  // Compresses page into out (out.size() >= page.size()). Returns the compressed size, or
  // 0 when the result would not be smaller than the page (or the library failed): then
  // the caller stores the page raw.
  size_t compress(std::span<const std::byte> page, std::span<std::byte> out);

 private:
  struct State;
  Compression method_;
  int level_;
  std::unique_ptr<State> state_;
};

}  // namespace vmcap
