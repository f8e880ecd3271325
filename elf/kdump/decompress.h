// One page of a kdump-compressed file, decompressed by the method its descriptor names.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

namespace vmcap::kdump {

// page_desc.flags bits (makedumpfile diskdump_mod.h).
inline constexpr uint32_t kFlagZlib = 0x1;
inline constexpr uint32_t kFlagLzo = 0x2;
inline constexpr uint32_t kFlagSnappy = 0x4;
inline constexpr uint32_t kFlagZstd = 0x20;
inline constexpr uint32_t kCompressionMask = kFlagZlib | kFlagLzo | kFlagSnappy | kFlagZstd;

// Decompresses `in` (compressed with the single method in `method`, one of the flags
// above) into `out`, which must come out exactly full. Returns an empty string on
// success, otherwise what went wrong ("zlib: data error", "lzo produced 100 bytes
// instead of 4096", ...).
std::string decompress_page(uint32_t method, std::span<const std::byte> in,
                            std::span<std::byte> out);

// "zlib", "lzo", "snappy", "zstd", or "none".
const char* compression_name(uint32_t method);

}  // namespace vmcap::kdump
