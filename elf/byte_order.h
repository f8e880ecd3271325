// Integers from dump bytes in the dumped machine's byte order, whatever the host's.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>

namespace vmcap {

// Callers check bounds first: these read width bytes at offset unconditionally.
inline uint64_t load_uint(std::span<const std::byte> bytes, size_t offset, unsigned width,
                          bool little_endian) {
  uint64_t v = 0;
  for (unsigned i = 0; i < width; ++i) {
    uint64_t b = static_cast<uint64_t>(bytes[offset + i]);
    v |= little_endian ? b << (8 * i) : b << (8 * (width - 1 - i));
  }
  return v;
}

inline uint16_t load_u16(std::span<const std::byte> b, size_t off, bool le) {
  return static_cast<uint16_t>(load_uint(b, off, 2, le));
}
inline uint32_t load_u32(std::span<const std::byte> b, size_t off, bool le) {
  return static_cast<uint32_t>(load_uint(b, off, 4, le));
}
inline uint64_t load_u64(std::span<const std::byte> b, size_t off, bool le) {
  return load_uint(b, off, 8, le);
}

// Little-endian words of the x86_64 and arm64 kernels vmcap decodes (struct page, printk
// ring): one load on a little-endian host, for hot loops. Callers check bounds first.
template <class T>
inline T load_le(std::span<const std::byte> bytes, size_t offset) {
  if constexpr (std::endian::native == std::endian::little) {
    T v;
    std::memcpy(&v, bytes.data() + offset, sizeof v);
    return v;
  } else {
    return static_cast<T>(load_uint(bytes, offset, sizeof(T), true));
  }
}
inline uint16_t load_le16(std::span<const std::byte> b, size_t off) { return load_le<uint16_t>(b, off); }
inline uint32_t load_le32(std::span<const std::byte> b, size_t off) { return load_le<uint32_t>(b, off); }
inline uint64_t load_le64(std::span<const std::byte> b, size_t off) { return load_le<uint64_t>(b, off); }

}  // namespace vmcap
