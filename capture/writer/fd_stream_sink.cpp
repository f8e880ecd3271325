#include "capture/writer/fd_stream_sink.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vmcap {

Result<void> FdStreamSink::write(std::span<const std::byte> bytes) {
  const std::byte* p = bytes.data();
  size_t left = bytes.size();
  while (left > 0) {
    const ssize_t n = ::write(fd_, p, left);
    if (n < 0) {
      if (errno == EINTR) continue;
      return make_error(ErrorKind::Io, name_, written_, std::string("write: ") + std::strerror(errno));
    }
    if (n == 0) return make_error(ErrorKind::Io, name_, written_, "write wrote nothing");
    p += n;
    left -= static_cast<size_t>(n);
    written_ += static_cast<uint64_t>(n);
  }
  return ok();
}

Result<void> FdStreamSink::finish() {
  struct stat st {};
  if (::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode) && ::fsync(fd_) != 0)
    return make_error(ErrorKind::Io, name_, {}, std::string("fsync: ") + std::strerror(errno));
  return ok();
}

}  // namespace vmcap
