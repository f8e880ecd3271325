#include "pstore/collect/pstore_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace vmcap::pstore {
namespace {

bool pstore_mounted_at(const std::string& dir) {
  std::ifstream mounts("/proc/self/mounts");
  std::string line;
  size_t n = 0;
  while (std::getline(mounts, line) && ++n < 100000) {
    std::istringstream fields(line);
    std::string source, target, type;
    fields >> source >> target >> type;
    if (type == "pstore" && target == dir) return true;
  }
  return false;
}

std::string errno_text() { return std::strerror(errno); }

}  // namespace

Result<PstoreDir> read_pstore_dir(const std::string& dir, bool mount_if_needed, size_t max_record_bytes) {
  PstoreDir out;
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    return make_error(ErrorKind::Missing, dir, std::nullopt,
                      "no such folder: this kernel has no pstore (CONFIG_PSTORE), or --dir names another place");
  if (mount_if_needed && !pstore_mounted_at(dir)) {
    if (::mount("pstore", dir.c_str(), "pstore", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0)
      return make_error(ErrorKind::Io, dir, std::nullopt,
                        "pstore is not mounted there and mounting it failed: " + errno_text() +
                            " (run as root; or mount -t pstore pstore " + dir + ")");
    out.mounted_here = true;
  }
  DIR* d = ::opendir(dir.c_str());
  if (!d) return make_error(ErrorKind::Io, dir, std::nullopt, "cannot list it: " + errno_text());
  std::vector<std::string> names;
  size_t seen = 0;
  while (dirent* e = ::readdir(d)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    if (++seen > kMaxRecordFiles) {
      out.problems.push_back(dir + ": more than " + std::to_string(kMaxRecordFiles) +
                             " files: the rest are left for the next run");
      break;
    }
    names.push_back(std::move(name));
  }
  ::closedir(d);
  std::sort(names.begin(), names.end());
  for (const auto& name : names) {
    const std::string path = dir + "/" + name;
    // O_NONBLOCK: a FIFO (not a record) must not hold the run; regular files ignore it.
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
    if (fd < 0) {
      out.problems.push_back(path + ": cannot open: " + errno_text());
      continue;
    }
    struct stat fs {};
    if (::fstat(fd, &fs) != 0 || !S_ISREG(fs.st_mode)) {
      ::close(fd);
      out.problems.push_back(path + ": not a regular file: skipped");
      continue;
    }
    RecordFile r;
    r.name = name;
    // ramoops takes the mtime from the record the crashing kernel wrote: clamp it to what
    // the clock's nanoseconds hold (years 1970 to 2262).
    const int64_t secs = std::clamp<int64_t>(fs.st_mtim.tv_sec, 0, int64_t{9'000'000'000});
    r.mtime = std::chrono::system_clock::time_point(std::chrono::seconds(secs));
    const size_t want = std::min<uint64_t>(static_cast<uint64_t>(std::max<off_t>(fs.st_size, 0)), max_record_bytes);
    r.bytes.resize(want);
    size_t got = 0;
    std::string read_error;
    while (got < want) {
      ssize_t n = ::read(fd, r.bytes.data() + got, want - got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) read_error = errno_text();
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    ::close(fd);
    r.bytes.resize(got);
    if (static_cast<uint64_t>(fs.st_size) > max_record_bytes) {
      out.problems.push_back(path + ": " + std::to_string(fs.st_size) + " bytes: only the first " +
                             std::to_string(max_record_bytes) + " read; sent once and kept");
      out.cut.push_back(name);
    } else if (got < want) {
      out.problems.push_back(path + ": " + std::to_string(got) + " of " + std::to_string(want) + " bytes read" +
                             (read_error.empty() ? std::string(" (it ended early)") : ": " + read_error) +
                             "; sent as read, and kept");
      out.cut.push_back(name);
    }
    out.records.push_back(std::move(r));
  }
  return out;
}

std::vector<std::string> delete_records(const std::string& dir, const std::vector<std::string>& names) {
  std::vector<std::string> failed;
  for (const auto& n : names) {
    if (n.find('/') != std::string::npos || n == "." || n == "..") {
      failed.push_back(n + ": not a record name");
      continue;
    }
    if (::unlink((dir + "/" + n).c_str()) != 0 && errno != ENOENT) failed.push_back(n + ": " + errno_text());
  }
  return failed;
}

}  // namespace vmcap::pstore
