#include "capture/upload/file_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "capture/upload/capture_layout.h"

namespace vmcap::upload {

bool safe_key(const std::string& key) {
  if (key.empty() || key.front() == '/') return false;
  size_t start = 0;
  while (start <= key.size()) {
    size_t slash = key.find('/', start);
    std::string_view seg(key.data() + start, (slash == std::string::npos ? key.size() : slash) - start);
    if (seg.empty() || seg == "." || seg == "..") return false;
    if (slash == std::string::npos) break;
    start = slash + 1;
  }
  return key.find('\0') == std::string::npos;
}

Result<ListPage> FileReader::list(const std::string& folder, const std::string& next, size_t max_keys,
                                  const Deadline& deadline) {
  namespace fs = std::filesystem;
  const std::string what = name_ + ": " + folder;
  if (!safe_key(folder)) return make_error(ErrorKind::Usage, what, std::nullopt, "not a folder below the destination");
  max_keys = std::clamp<size_t>(max_keys, 1, kMaxKeysPerPage);
  const fs::path base = fs::path(root_) / folder;
  std::vector<std::string> keys;
  size_t walked = 0;
  std::error_code ec;
  // Every name is visited (a folder's entries come in no order); only the keys after
  // `next` are kept, and of those the smallest max_keys.
  fs::recursive_directory_iterator it(base, fs::directory_options::none, ec), end;
  if (ec) {
    if (ec == std::errc::no_such_file_or_directory) return ListPage{};
    return make_error(ErrorKind::Io, what, std::nullopt, ec.message());
  }
  for (; it != end; it.increment(ec)) {
    if (ec) return make_error(ErrorKind::Io, what, std::nullopt, ec.message());
    if (++walked > kMaxNamesWalked)
      return make_error(ErrorKind::Limit, what, std::nullopt,
                        "more than " + std::to_string(kMaxNamesWalked) + " names: the listing stopped");
    if ((walked & 1023) == 0 && deadline.expired()) return deadline_error(what);
    const std::string leaf = it->path().filename().string();
    std::error_code e2;
    const fs::file_status st = it->symlink_status(e2);
    if (leaf.starts_with(".")) {
      if (fs::is_directory(st)) it.disable_recursion_pending();
      continue;
    }
    if (!fs::is_regular_file(st)) continue;  // folders are walked, links and devices left out
    std::string key = join_path(folder, fs::relative(it->path(), base, e2).string());
    if (e2 || (!next.empty() && key <= next)) continue;
    keys.push_back(std::move(key));
    // Keep memory bounded: the smallest max_keys + 1 so far (one more says "there is more").
    if (keys.size() > 4 * (max_keys + 1)) {
      std::sort(keys.begin(), keys.end());
      keys.resize(max_keys + 1);
    }
  }
  return first_keys_page(std::move(keys), max_keys);
}

Result<std::string> FileReader::get(const std::string& key, size_t max_bytes, const Deadline& deadline) {
  const std::string path = join_path(root_, key);
  const std::string what = name_ + ": " + key;
  if (!safe_key(key)) return make_error(ErrorKind::Usage, what, std::nullopt, "not a key below the destination");
  if (deadline.expired()) return deadline_error(what);
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
  if (fd < 0) return make_error(ErrorKind::Io, what, std::nullopt, std::string("open: ") + std::strerror(errno));
  struct Closer {
    int fd;
    ~Closer() { ::close(fd); }
  } closer{fd};
  struct stat st {};
  if (::fstat(fd, &st) != 0) return make_error(ErrorKind::Io, what, std::nullopt, std::string("fstat: ") + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return make_error(ErrorKind::Format, what, std::nullopt, "not a regular file");
  if (static_cast<uint64_t>(st.st_size) > max_bytes)
    return make_error(ErrorKind::Limit, what, std::nullopt,
                      std::to_string(st.st_size) + " bytes, more than " + std::to_string(max_bytes) + ": not read");
  // The size may change under us: read at most max_bytes + 1 to see it.
  std::string out(max_bytes + 1, '\0');
  size_t got = 0;
  while (got < out.size()) {
    ssize_t n = ::read(fd, out.data() + got, out.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return make_error(ErrorKind::Io, what, std::nullopt, std::string("read: ") + std::strerror(errno));
    if (n == 0) break;
    got += static_cast<size_t>(n);
  }
  if (got > max_bytes)
    return make_error(ErrorKind::Limit, what, std::nullopt, "more than " + std::to_string(max_bytes) + " bytes: not read");
  out.resize(got);
  return out;
}

}  // namespace vmcap::upload
