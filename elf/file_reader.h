// Bounded random access to one dump file: every read is checked against the file's
// real size, so headers that promise more than the file holds give Truncated errors
// (naming the file and offset) instead of short reads or garbage. Shared by all readers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <span>
#include <string>

#include "elf/result.h"

namespace vmcap {

struct FileReaderOptions {
  // Read through mmap windows instead of pread: fewer system calls for many small reads.
  bool use_mmap = false;
  // Size of each mapped window (rounded up to the page size); at most kMaxWindows are
  // kept mapped at a time, the least recently used is unmapped first.
  uint64_t window_size = 64ull << 20;
};

class FileReader {
 public:
  static constexpr size_t kMaxWindows = 4;

  // Opens a regular file read-only. Directories, pipes and devices are refused: dumps
  // need random access and a size known up front.
  static Result<std::unique_ptr<FileReader>> open(const std::string& path,
                                                  const FileReaderOptions& options = {});
  ~FileReader();
  FileReader(const FileReader&) = delete;
  FileReader& operator=(const FileReader&) = delete;

  // Reads exactly out.size() bytes at offset, or fails: Truncated if any of them lies
  // past the end of the file, Io if the system refuses. Safe to call from several threads.
  Result<void> read_at(uint64_t offset, std::span<std::byte> out) const;

  // Whether [offset, offset + length) lies inside the file (overflow-safe).
  bool contains(uint64_t offset, uint64_t length) const {
    return offset <= size_ && length <= size_ - offset;
  }

  uint64_t size() const { return size_; }
  const std::string& path() const { return path_; }
  int fd() const { return fd_; }
  bool uses_mmap() const { return options_.use_mmap; }

 private:
  struct Window {
    uint64_t start = 0;
    uint64_t length = 0;
    const std::byte* data = nullptr;
  };
  FileReader(std::string path, int fd, uint64_t size, FileReaderOptions options);
  Result<void> pread_at(uint64_t offset, std::span<std::byte> out) const;
  Result<void> mmap_read_at(uint64_t offset, std::span<std::byte> out) const;
  Result<const Window*> window_for(uint64_t offset) const;  // caller holds mutex_

  std::string path_;
  int fd_ = -1;
  uint64_t size_ = 0;
  FileReaderOptions options_;
  mutable std::mutex mutex_;
  mutable std::list<Window> windows_;  // most recently used first
};

}  // namespace vmcap
