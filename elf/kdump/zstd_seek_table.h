// The zstd seekable format's seek table (zstd's contrib/seekable_format, format 0.1.0):
// a file of independent zstd frames ends with a skippable frame
//   le32 0x184D2A5E; le32 Frame_Size; Number_Of_Frames x {le32 Compressed_Size;
//   le32 Decompressed_Size; [le32 checksum]}; le32 Number_Of_Frames; u8 descriptor;
//   le32 0x8F92EAB1
// so a reader finds frame i's place in the file and in the content from the sums of the
// sizes before it. `zstd -d` still decompresses the whole file (it skips the table).
// The table is written by a machine that is crashing: decode_seek_table checks every
// entry against the file and against vmcap's limits before anything is allocated from it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "elf/kdump/byte_source.h"
#include "elf/result.h"

namespace vmcap::zstd_seekable {

inline constexpr uint32_t kSkippableMagic = 0x184D2A5E;
inline constexpr uint32_t kSeekableMagic = 0x8F92EAB1;
inline constexpr uint32_t kZstdFrameMagic = 0xFD2FB528;
inline constexpr uint64_t kFooterBytes = 9;
inline constexpr uint64_t kFrameHeaderBytes = 8;  // skippable magic + Frame_Size
inline constexpr uint8_t kChecksumFlag = 0x80;
inline constexpr uint8_t kReservedBits = 0x7c;
// Reader limits (docs/limits.md): a frame's content is decompressed whole into memory,
// and the frame offsets are held in memory.
inline constexpr uint64_t kMaxFrameContent = 16ull << 20;
inline constexpr uint64_t kMaxFrames = 1ull << 22;
// The content is read like a flattened file of its size (records scanned, mapped), so it
// is bounded by the compressed file: at most kMaxExpansion times it, or kMinContentCap.
// vmcap's cores expand 1.5x (-d 1) to 5x (-d 31); zstd can reach 30,000x on RLE blocks.
inline constexpr uint64_t kMaxExpansion = 1024;
inline constexpr uint64_t kMinContentCap = 256ull << 20;

struct FrameSizes {
  uint32_t compressed = 0;
  uint32_t content = 0;
};

// The whole seek table frame for these frames (no per-frame checksums: each zstd frame
// carries its own content checksum).
std::vector<std::byte> encode_seek_table(std::span<const FrameSizes> frames);

struct Frame {
  uint64_t file_offset = 0;
  uint64_t content_offset = 0;
  uint32_t compressed = 0;
  uint32_t content = 0;
};

struct SeekTable {
  std::vector<Frame> frames;   // in file order; file offsets start at 0 and touch
  uint64_t content_size = 0;   // sum of the frames' content
  uint64_t table_offset = 0;   // where the seek table frame starts (= end of the frames)
};

// Whether the file ends with the seekable magic (the last 4 bytes).
bool ends_with_seek_table(const ByteSource& file);

// Reads and checks the seek table at the end of `file`: the footer's magic and reserved
// bits, the skippable frame's magic and size against the entry count, every frame's
// sizes (a frame with content has at most ZSTD_compressBound of it + its checksum and
// content of at most kMaxFrameContent), that the frames fill the file exactly up to the
// table, and that the content stays within kMaxExpansion of the file (or kMinContentCap).
Result<SeekTable> decode_seek_table(const ByteSource& file);

// The index of the frame holding content byte `offset` (offset < content_size).
size_t frame_at(const SeekTable& table, uint64_t offset);

}  // namespace vmcap::zstd_seekable
