// Reading the running system's files under a root folder: "/" on the machine, a tree made in
// the test otherwise (a fake /proc, /sys, /dev). One rule for the image builder's readers
// and arm/machine's.
#pragma once

#include <string>
#include <string_view>

namespace vmcap::initramfs {

// ROOT + ABS_PATH: "/" + "/sys/x" is "/sys/x", "/tmp/t" + "/sys/x" is "/tmp/t/sys/x".
std::string under_root(const std::string& root, std::string_view abs_path);

}  // namespace vmcap::initramfs
