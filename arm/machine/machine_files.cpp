#include "arm/machine/machine_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>

#include "initramfs/root_path.h"

namespace vmcap::arm {

std::string under_root(const std::string& root, std::string_view abs_path) {
  return initramfs::under_root(root, abs_path);
}

Result<FileText> read_machine_file(const std::string& root, std::string_view abs_path,
                                   size_t max_bytes) {
  const std::string name(abs_path);
  const std::string path = under_root(root, abs_path);
  // O_NONBLOCK: a FIFO where a file should be must not hang the command.
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
  if (fd < 0) {
    const int e = errno;
    if (e == ENOENT || e == ENOTDIR) return make_error(ErrorKind::Missing, name, std::nullopt, "absent");
    return make_error(ErrorKind::Io, name, std::nullopt, std::strerror(e));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return make_error(ErrorKind::Io, name, std::nullopt, "not a regular file");
  }
  FileText out;
  // One byte past the limit tells a cut file from one of exactly max_bytes.
  std::string buf(max_bytes + 1, '\0');
  size_t got = 0;
  while (got < buf.size()) {
    const ssize_t n = ::read(fd, buf.data() + got, buf.size() - got);
    if (n < 0) {
      if (errno == EINTR) continue;
      const int e = errno;
      ::close(fd);
      return make_error(ErrorKind::Io, name, std::nullopt, std::strerror(e));
    }
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  ::close(fd);
  out.cut = got > max_bytes;
  buf.resize(out.cut ? max_bytes : got);
  out.text = std::move(buf);
  return out;
}

std::string_view trim(std::string_view s) {
  constexpr std::string_view ws = " \t\r\n\v\f";
  const size_t b = s.find_first_not_of(ws);
  if (b == std::string_view::npos) return {};
  const size_t e = s.find_last_not_of(ws);
  return s.substr(b, e - b + 1);
}

std::optional<uint64_t> parse_decimal(std::string_view s) {
  s = trim(s);
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::optional<int64_t> parse_signed_decimal(std::string_view s) {
  s = trim(s);
  int64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (s.empty() || ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string absent_or_message(const Error& e, std::string_view abs_path, std::string_view absent_means) {
  if (e.kind == ErrorKind::Missing) return std::string(abs_path) + " absent: " + std::string(absent_means);
  return e.message();
}

Fact<bool> read_flag_file(const std::string& root, std::string_view abs_path, std::string_view absent_means) {
  auto f = read_machine_file(root, abs_path, 64);
  if (!f) return Fact<bool>::unknown_because(absent_or_message(f.error(), abs_path, absent_means), std::string(abs_path));
  const auto v = parse_decimal(f->text);
  if (!v || *v > 1)
    return Fact<bool>::unknown_because(std::string(abs_path) + ": not 0 or 1: '" + std::string(trim(f->text)) + "'",
                                       std::string(abs_path));
  return Fact<bool>::known(*v == 1, std::string(abs_path));
}

}  // namespace vmcap::arm
