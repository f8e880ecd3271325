#include "elf/file_reader.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include <fmt/format.h>

namespace vmcap {

Result<std::unique_ptr<FileReader>> FileReader::open(const std::string& path,
                                                     const FileReaderOptions& options) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    return make_error(ErrorKind::Io, path, std::nullopt,
                      fmt::format("cannot open: {}", std::strerror(errno)));
  struct stat st{};
  if (::fstat(fd, &st) != 0) {
    int e = errno;
    ::close(fd);
    return make_error(ErrorKind::Io, path, std::nullopt,
                      fmt::format("cannot stat: {}", std::strerror(e)));
  }
  if (!S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error(ErrorKind::Usage, path, std::nullopt,
                      S_ISDIR(st.st_mode) ? "is a directory, not a dump file"
                                          : "is not a regular file (a dump needs random access)");
  }
  FileReaderOptions opts = options;
  long page = ::sysconf(_SC_PAGESIZE);
  uint64_t page_size = page > 0 ? static_cast<uint64_t>(page) : 4096;
  opts.window_size = std::max<uint64_t>(opts.window_size, page_size);
  opts.window_size = (opts.window_size + page_size - 1) / page_size * page_size;
  return std::unique_ptr<FileReader>(
      new FileReader(path, fd, static_cast<uint64_t>(st.st_size), opts));
}

FileReader::FileReader(std::string path, int fd, uint64_t size, FileReaderOptions options)
    : path_(std::move(path)), fd_(fd), size_(size), options_(options) {}

FileReader::~FileReader() {
  for (auto& w : windows_) ::munmap(const_cast<std::byte*>(w.data), w.length);
  if (fd_ >= 0) ::close(fd_);
}

Result<void> FileReader::read_at(uint64_t offset, std::span<std::byte> out) const {
  if (!contains(offset, out.size())) {
    uint64_t first_missing = std::max(offset, size_);
    return make_error(ErrorKind::Truncated, path_, first_missing,
                      fmt::format("read of {} bytes at {:#x} goes past the end of the file "
                                  "({} bytes)",
                                  out.size(), offset, size_));
  }
  if (out.empty()) return ok();
  return options_.use_mmap ? mmap_read_at(offset, out) : pread_at(offset, out);
}

Result<void> FileReader::pread_at(uint64_t offset, std::span<std::byte> out) const {
  size_t done = 0;
  while (done < out.size()) {
    ssize_t n = ::pread(fd_, out.data() + done, out.size() - done,
                        static_cast<off_t>(offset + done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0)
      return make_error(ErrorKind::Io, path_, offset + done,
                        fmt::format("read failed: {}", std::strerror(errno)));
    // The file shrank after we measured it.
    if (n == 0)
      return make_error(ErrorKind::Truncated, path_, offset + done,
                        "file ended early (was it truncated while being read?)");
    done += static_cast<size_t>(n);
  }
  return ok();
}

Result<const FileReader::Window*> FileReader::window_for(uint64_t offset) const {
  for (auto it = windows_.begin(); it != windows_.end(); ++it) {
    if (offset >= it->start && offset - it->start < it->length) {
      windows_.splice(windows_.begin(), windows_, it);
      return &windows_.front();
    }
  }
  uint64_t start = offset / options_.window_size * options_.window_size;
  uint64_t length = std::min(options_.window_size, size_ - start);
  void* p = ::mmap(nullptr, length, PROT_READ, MAP_SHARED, fd_, static_cast<off_t>(start));
  if (p == MAP_FAILED)
    return make_error(ErrorKind::Io, path_, start,
                      fmt::format("mmap of {} bytes failed: {}", length, std::strerror(errno)));
  if (windows_.size() >= kMaxWindows) {
    ::munmap(const_cast<std::byte*>(windows_.back().data), windows_.back().length);
    windows_.pop_back();
  }
  windows_.push_front(Window{start, length, static_cast<const std::byte*>(p)});
  return &windows_.front();
}

Result<void> FileReader::mmap_read_at(uint64_t offset, std::span<std::byte> out) const {
  // A file that shrinks under a mapping raises SIGBUS; dumps are not expected to change
  // while read, and pread mode exists for files that might.
  std::lock_guard lock(mutex_);
  size_t done = 0;
  while (done < out.size()) {
    uint64_t at = offset + done;
    const Window* w = VMCAP_TRY(window_for(at));
    uint64_t in_window = at - w->start;
    size_t n = static_cast<size_t>(std::min<uint64_t>(out.size() - done, w->length - in_window));
    std::memcpy(out.data() + done, w->data + in_window, n);
    done += n;
  }
  return ok();
}

}  // namespace vmcap
