#include "initramfs/system_mounts.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vmcap::initramfs {

std::vector<std::string> mount_system_filesystems() {
  struct Mount {
    const char* type;
    const char* target;
    unsigned long flags;
    const char* data;
  };
  static const Mount mounts[] = {
      {"proc", "/proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr},
      {"sysfs", "/sys", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr},
      {"devtmpfs", "/dev", MS_NOSUID, "mode=0755"},
      {"tmpfs", "/run", MS_NOSUID | MS_NODEV, "mode=0755"},
  };
  std::vector<std::string> failures;
  for (const auto& m : mounts) {
    mkdir(m.target, 0755);
    if (mount(m.type, m.target, m.type, m.flags, m.data) != 0 && errno != EBUSY)
      failures.push_back(std::string("mount ") + m.type + " on " + m.target + ": " + std::strerror(errno));
  }
  return failures;
}

void ensure_console_stdio() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (fcntl(fd, F_GETFD) != -1) continue;
    int c = open("/dev/console", O_RDWR | O_NOCTTY);
    if (c < 0) return;  // nowhere to speak: the steps still run
    if (c != fd) {
      dup2(c, fd);
      close(c);
    }
  }
}

}  // namespace vmcap::initramfs
