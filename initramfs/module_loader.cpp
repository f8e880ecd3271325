#include "initramfs/module_loader.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "initramfs/image_builder.h"

#ifndef MODULE_INIT_COMPRESSED_FILE
#define MODULE_INIT_COMPRESSED_FILE 4
#endif

namespace vmcap::initramfs {
namespace {

constexpr int kMaxModules = 4096;

bool compressed(const std::string& path) {
  for (const char* s : {".ko.xz", ".ko.zst", ".ko.gz"}) {
    size_t n = std::strlen(s);
    if (path.size() >= n && path.compare(path.size() - n, n, s) == 0) return true;
  }
  return false;
}

std::string other_releases(const std::string& modules_dir) {
  std::string names;
  if (DIR* d = opendir(modules_dir.c_str())) {
    int seen = 0;
    while (dirent* e = readdir(d)) {
      if (e->d_name[0] == '.' || ++seen > 16) continue;
      names += std::string(names.empty() ? "" : ", ") + e->d_name;
    }
    closedir(d);
  }
  return names;
}

}  // namespace

ModuleLoadSummary load_image_modules(const std::string& release, const std::function<void(std::string_view)>& say,
                                     const std::string& root) {
  ModuleLoadSummary summary;
  const std::string dir = root + "/lib/modules/" + release;
  std::ifstream order(dir + "/" + kModuleOrderFile);
  if (!order) {
    std::string others = other_releases(root + "/lib/modules");
    if (!others.empty())
      say("no modules for " + release + " in this image (it has them for " + others +
          "): built for another kernel? none loaded");
    return summary;
  }
  int lines = 0;
  for (std::string rel; std::getline(order, rel) && lines < kMaxModules; ++lines) {
    if (rel.empty()) continue;
    const std::string path = dir + "/" + rel;
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      ++summary.failed;
      say(rel + ": " + std::strerror(errno));
      continue;
    }
    int flags = compressed(rel) ? MODULE_INIT_COMPRESSED_FILE : 0;
    long r = syscall(SYS_finit_module, fd, "", flags);
    int e = errno;
    close(fd);
    if (r == 0) {
      ++summary.loaded;
    } else if (e == EEXIST) {
      ++summary.already;
    } else {
      ++summary.failed;
      say(rel + ": finit_module: " + std::strerror(e) +
          (flags && (e == EOPNOTSUPP || e == EINVAL) ? " (does this kernel decompress modules itself?)"
           : e == ENODEV ? " (what it drives is not here: a CPU feature such as crc32c-intel's SSE4.2, or a "
                           "device; harmless when another module does the same job)"
                         : ""));
    }
  }
  return summary;
}

}  // namespace vmcap::initramfs
