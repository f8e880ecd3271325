// The newc ("070701") cpio format the kernel unpacks as an initramfs
// (Documentation/driver-api/early-userspace/buffer-format.rst): per entry a 110-byte ASCII
// header of 8-digit hex fields, the NUL-terminated name, the data, each padded to 4 bytes;
// the archive ends with an entry named "TRAILER!!!".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "elf/result.h"

namespace vmcap::initramfs {

class CpioWriter {
 public:
  // Names are archive paths without a leading slash ("etc/vmcap.conf"); modes are the
  // permission bits only (the type comes from the call).
  Result<void> add_directory(std::string_view name, uint32_t mode);
  Result<void> add_file(std::string_view name, uint32_t mode, std::string_view bytes);
  Result<void> add_symlink(std::string_view name, std::string_view target);
  Result<void> add_char_device(std::string_view name, uint32_t mode, uint32_t major, uint32_t minor);

  // Appends the trailer and hands the archive over; the writer is empty afterwards.
  std::string finish();

  size_t size() const { return out_.size(); }

 private:
  struct Header {
    uint32_t mode = 0;
    uint32_t nlink = 1;
    uint64_t size = 0;
    uint32_t rdev_major = 0;
    uint32_t rdev_minor = 0;
  };
  Result<void> add(std::string_view name, const Header& header, std::string_view data);
  void pad();

  std::string out_;
  uint32_t next_ino_ = 1;
};

}  // namespace vmcap::initramfs
