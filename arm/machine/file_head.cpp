#include "arm/machine/file_head.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vmcap::arm {

Result<FileHead> read_file_head(const std::string& path, size_t limit) {
  // O_NONBLOCK: a FIFO named as the kernel must not hang the command; it is refused below.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    const int e = errno;
    return make_error(e == ENOENT ? ErrorKind::Missing : ErrorKind::Io, path, std::nullopt, std::strerror(e));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error(ErrorKind::Io, path, std::nullopt, "not a regular file");
  }
  FileHead head;
  head.file_size = static_cast<uint64_t>(st.st_size);
  head.bytes.resize(limit);
  size_t got = 0;
  while (got < head.bytes.size()) {
    const ssize_t n = ::pread(fd, head.bytes.data() + got, head.bytes.size() - got, static_cast<off_t>(got));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const int e = errno;
      ::close(fd);
      return make_error(ErrorKind::Io, path, got, std::strerror(e));
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  head.bytes.resize(got);
  return head;
}

}  // namespace vmcap::arm
