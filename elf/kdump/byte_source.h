// Random access to the bytes of a kdump-compressed file, wherever they physically are:
// a plain file (through FileReader) or the logical file a flattened stream describes.
// The kdump-compressed parser only ever sees this interface.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <span>
#include <string>

#include "elf/result.h"

namespace vmcap {

class FileReader;

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // Reads exactly out.size() bytes at offset (an offset of the logical file), or fails:
  // Truncated when any byte lies at or past size(), Io when the system refuses.
  virtual Result<void> read_at(uint64_t offset, std::span<std::byte> out) const = 0;
  virtual uint64_t size() const = 0;
  // The file on disk (errors name it).
  virtual const std::string& path() const = 0;
  // Whether [offset, offset + length) lies inside size() (overflow-safe).
  bool contains(uint64_t offset, uint64_t length) const {
    return offset <= size() && length <= size() - offset;
  }
  // Whether the file holds every byte of [offset, offset + length): inside size() and, in
  // a flattened file, none in a gap no record wrote. Tables whose size the header claims
  // must be stored, so that their size is bounded by the file's, not by its logical size.
  virtual bool stored(uint64_t offset, uint64_t length) const { return contains(offset, length); }
};

// A regular file, read through the shared FileReader (bounded pread or mmap windows).
class FileByteSource final : public ByteSource {
 public:
  static Result<std::unique_ptr<FileByteSource>> open(const std::string& path);
  explicit FileByteSource(std::unique_ptr<FileReader> reader);
  ~FileByteSource() override;
  Result<void> read_at(uint64_t offset, std::span<std::byte> out) const override;
  uint64_t size() const override;
  const std::string& path() const override;

 private:
  std::unique_ptr<FileReader> reader_;
};

// makedumpfile's flattened format (makedumpfile -F, QEMU kdump-*), read in place: the
// records {be64 offset; be64 size; data} are scanned once and turned into a sorted map
// from logical offsets to offsets in the flattened file. Later records override earlier
// ones where they overlap (what `makedumpfile -R` does when it writes them in order).
// Logical bytes no record wrote, below the logical size, read as zeros (the holes of the
// file `makedumpfile -R` would create); bytes at or past the logical size are Truncated.
// A stream without its {-1, -1} end marker is refused (Truncated): it was cut short.
class FlattenedByteSource final : public ByteSource {
 public:
  static constexpr uint64_t kHeaderSize = 4096;
  static constexpr uint64_t kRecordHeaderSize = 16;

  static Result<std::unique_ptr<FlattenedByteSource>> open(std::shared_ptr<const ByteSource> raw);
  // Whether the first bytes are the flattened signature ("makedumpfile" + NULs).
  static bool has_signature(std::span<const std::byte> head);

  Result<void> read_at(uint64_t offset, std::span<std::byte> out) const override;
  uint64_t size() const override { return logical_size_; }
  const std::string& path() const override { return raw_->path(); }
  bool stored(uint64_t offset, uint64_t length) const override;

  size_t record_count() const { return records_; }
  size_t segment_count() const { return segments_.size(); }

 private:
  struct Segment {
    uint64_t end = 0;          // logical end (exclusive)
    uint64_t file_offset = 0;  // where the logical start is in the flattened file
  };
  explicit FlattenedByteSource(std::shared_ptr<const ByteSource> raw) : raw_(std::move(raw)) {}
  void insert(uint64_t start, uint64_t end, uint64_t file_offset);

  std::shared_ptr<const ByteSource> raw_;
  std::map<uint64_t, Segment> segments_;  // keyed by logical start; never overlapping
  uint64_t logical_size_ = 0;
  size_t records_ = 0;
};

}  // namespace vmcap
