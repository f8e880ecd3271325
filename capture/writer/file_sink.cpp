#include "capture/writer/file_sink.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <vector>

namespace vmcap {

Error FileSink::io_error(const std::string& what, int err, std::optional<uint64_t> offset) const {
  return make_error(ErrorKind::Io, path_, offset, what + ": " + std::strerror(err));
}

Result<std::unique_ptr<FileSink>> FileSink::create(const std::string& path) {
  if (path.empty()) return make_error(ErrorKind::Usage, path, {}, "empty output path");
  // Same folder as the final name, so rename() is atomic (same filesystem).
  std::string pattern = path + ".tmp.XXXXXX";
  std::vector<char> name(pattern.begin(), pattern.end());
  name.push_back('\0');
  const int fd = ::mkostemp(name.data(), O_CLOEXEC);
  if (fd < 0)
    return make_error(ErrorKind::Io, path, {},
                      std::string("cannot create a temporary file beside it: ") + std::strerror(errno));
  // mkostemp gives 0600; a dump is as sensitive as the memory it holds, keep it so.
  return std::unique_ptr<FileSink>(new FileSink(path, name.data(), fd));
}

FileSink::~FileSink() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_) ::unlink(temp_path_.c_str());
}

Result<void> FileSink::write_at(uint64_t offset, std::span<const std::byte> bytes) {
  if (committed_ || fd_ < 0) return make_error(ErrorKind::Usage, path_, offset, "write after commit");
  if (offset > uint64_t(INT64_MAX) || bytes.size() > uint64_t(INT64_MAX) - offset)
    return make_error(ErrorKind::Limit, path_, offset, "write beyond the largest file offset");
  const std::byte* p = bytes.data();
  size_t left = bytes.size();
  uint64_t at = offset;
  while (left > 0) {
    const ssize_t n = ::pwrite(fd_, p, left, static_cast<off_t>(at));
    if (n < 0) {
      if (errno == EINTR) continue;
      return io_error("pwrite", errno, at);
    }
    if (n == 0) return make_error(ErrorKind::Io, path_, at, "pwrite wrote nothing");
    p += n;
    left -= static_cast<size_t>(n);
    at += static_cast<uint64_t>(n);
  }
  size_ = std::max(size_, offset + bytes.size());
  return ok();
}

Result<void> FileSink::commit() {
  if (committed_) return ok();
  // Bytes never written at the end (a sparse tail) still belong to the file.
  if (::ftruncate(fd_, static_cast<off_t>(size_)) != 0) return io_error("ftruncate", errno);
  if (::fsync(fd_) != 0) return io_error("fsync", errno);
  if (::close(fd_) != 0) {
    fd_ = -1;
    return io_error("close", errno);
  }
  fd_ = -1;
  if (::rename(temp_path_.c_str(), path_.c_str()) != 0) return io_error("rename from " + temp_path_, errno);
  committed_ = true;
  // The rename itself must survive a power cut: sync the folder.
  std::string dir = std::filesystem::path(path_).parent_path().string();
  if (dir.empty()) dir = ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    const int r = ::fsync(dfd);
    const int err = errno;
    ::close(dfd);
    if (r != 0 && err != EINVAL) return io_error("fsync of folder " + dir, err);
  }
  return ok();
}

}  // namespace vmcap
