// A ByteSink that writes a regular file with pwrite under a temporary name in the target's
// folder, and on commit() fsyncs it, renames it to the final name and fsyncs the folder:
// a reader never sees a half-written dump under the final name. Destroyed without a
// commit (an error anywhere), it removes the temporary file.
#pragma once

#include <memory>
#include <string>

#include "capture/writer/byte_sink.h"

namespace vmcap {

class FileSink final : public ByteSink {
 public:
  static Result<std::unique_ptr<FileSink>> create(const std::string& path);
  ~FileSink() override;
  FileSink(const FileSink&) = delete;
  FileSink& operator=(const FileSink&) = delete;

  Result<void> write_at(uint64_t offset, std::span<const std::byte> bytes) override;
  Result<void> commit() override;

  const std::string& path() const { return path_; }
  const std::string& temporary_path() const { return temp_path_; }
  // One past the highest byte written.
  uint64_t size() const { return size_; }

 private:
  FileSink(std::string path, std::string temp_path, int fd)
      : path_(std::move(path)), temp_path_(std::move(temp_path)), fd_(fd) {}
  Error io_error(const std::string& what, int err, std::optional<uint64_t> offset = {}) const;

  std::string path_;
  std::string temp_path_;
  int fd_ = -1;
  uint64_t size_ = 0;
  bool committed_ = false;
};

}  // namespace vmcap
