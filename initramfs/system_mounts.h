// What an /init does before anything else: the kernel hands it an unpacked rootfs and
// nothing mounted. proc (for /proc/vmcore), sysfs (network interfaces) and devtmpfs
// (device nodes), and stdio on /dev/console when the kernel could not give it.
#pragma once

#include <string>
#include <vector>

namespace vmcap::initramfs {

// Mounts proc, sysfs and devtmpfs (already mounted is fine). Returns one line per
// failure ("mount devtmpfs on /dev: No such device"); the caller says them and goes on.
std::vector<std::string> mount_system_filesystems();

// Makes fds 0, 1 and 2 the console when they are not open.
void ensure_console_stdio();

}  // namespace vmcap::initramfs
