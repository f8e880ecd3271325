#include "capture/upload/file_uploader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "capture/upload/capture_layout.h"

namespace vmcap::upload {

namespace {

Error io_error(const std::string& path, const std::string& what) {
  return make_error(ErrorKind::Io, path, std::nullopt, what + ": " + std::strerror(errno));
}

Result<void> make_dirs(const std::string& path) {
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i != path.size() && path[i] != '/') continue;
    std::string part = path.substr(0, i);
    if (::mkdir(part.c_str(), 0750) != 0 && errno != EEXIST) return io_error(part, "mkdir");
  }
  return ok();
}

Result<void> fsync_dir(const std::string& dir) {
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error(dir, "open");
  int rc = ::fsync(fd);
  ::close(fd);
  if (rc != 0) return io_error(dir, "fsync");
  return ok();
}

// Core dumps hold the crashed machine's memory (keys, passwords): mode 0600.
Result<void> write_file(const std::string& dir, const std::string& name, ByteSource& source,
                        const Deadline& deadline) {
  VMCAP_CHECK(make_dirs(dir));
  std::string final_path = dir + "/" + name;
  std::string temp_path = dir + "/." + name + ".part";
  int fd = ::open(temp_path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return io_error(temp_path, "open");
  auto fail = [&](Error e) -> Result<void> {
    ::close(fd);
    ::unlink(temp_path.c_str());
    return e;
  };
  std::vector<char> buf(1 << 20);
  for (;;) {
    if (deadline.expired()) return fail(deadline_error(final_path));
    auto n = source.read(buf, deadline);
    if (!n) return fail(std::move(n).error());
    if (*n == 0) break;
    for (size_t off = 0; off < *n;) {
      ssize_t w = ::write(fd, buf.data() + off, *n - off);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return fail(io_error(temp_path, "write"));
      off += static_cast<size_t>(w);
    }
  }
  if (::fsync(fd) != 0) return fail(io_error(temp_path, "fsync"));
  if (::close(fd) != 0) {
    ::unlink(temp_path.c_str());
    return io_error(temp_path, "close");
  }
  if (::rename(temp_path.c_str(), final_path.c_str()) != 0) {
    Error e = io_error(final_path, "rename");
    ::unlink(temp_path.c_str());
    return e;
  }
  return fsync_dir(dir);
}

}  // namespace

Result<void> FileUploader::put(const Artifact& artifact, std::string_view bytes, const Deadline& deadline) {
  MemorySource source(bytes);
  return write_file(join_path(root_, artifact.dir), artifact.name, source, deadline);
}

Result<void> FileUploader::put_stream(const Artifact& artifact, ByteSource& source, const Deadline& deadline) {
  // No retries: a local disk that failed (ENOSPC, EIO) will not recover within a capture.
  return write_file(join_path(root_, artifact.dir), artifact.name, source, deadline);
}

}  // namespace vmcap::upload
