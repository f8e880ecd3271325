#include "initramfs/cpio_writer.h"

#include <sys/stat.h>

#include <cstdio>

namespace vmcap::initramfs {
namespace {

constexpr uint32_t kPermissionBits = 07777;
constexpr size_t kMaxName = 4096;  // PATH_MAX: the kernel's unpacker refuses longer names

void put_hex(std::string& out, uint64_t value) {
  char field[9];
  std::snprintf(field, sizeof field, "%08llx", static_cast<unsigned long long>(value));
  out.append(field, 8);
}

}  // namespace

void CpioWriter::pad() { out_.append((4 - out_.size() % 4) % 4, '\0'); }

Result<void> CpioWriter::add(std::string_view name, const Header& h, std::string_view data) {
  if (name.empty() || name.front() == '/' || name.size() >= kMaxName ||
      name.find('\0') != std::string_view::npos)
    return make_error(ErrorKind::Usage, std::string(name), std::nullopt,
                      "not a relative archive path of 1.." + std::to_string(kMaxName - 1) + " bytes");
  if (h.size > UINT32_MAX)  // newc's size field has 8 hex digits
    return make_error(ErrorKind::Limit, std::string(name), std::nullopt,
                      std::to_string(h.size) + " bytes: newc holds at most 4 GiB - 1 per file");
  out_ += "070701";
  put_hex(out_, next_ino_++);
  put_hex(out_, h.mode);
  put_hex(out_, 0);  // uid: root
  put_hex(out_, 0);  // gid: root
  put_hex(out_, h.nlink);
  put_hex(out_, 0);  // mtime: fixed, so one input gives one image
  put_hex(out_, h.size);
  put_hex(out_, 0);  // devmajor, devminor: of the file system the file came from
  put_hex(out_, 0);
  put_hex(out_, h.rdev_major);
  put_hex(out_, h.rdev_minor);
  put_hex(out_, name.size() + 1);
  put_hex(out_, 0);  // check: only for "070702"
  out_.append(name);
  out_.push_back('\0');
  pad();
  out_.append(data);
  pad();
  return ok();
}

Result<void> CpioWriter::add_directory(std::string_view name, uint32_t mode) {
  return add(name, {S_IFDIR | (mode & kPermissionBits), 2, 0, 0, 0}, {});
}

Result<void> CpioWriter::add_file(std::string_view name, uint32_t mode, std::string_view bytes) {
  return add(name, {S_IFREG | (mode & kPermissionBits), 1, bytes.size(), 0, 0}, bytes);
}

Result<void> CpioWriter::add_symlink(std::string_view name, std::string_view target) {
  if (target.empty() || target.size() >= kMaxName)
    return make_error(ErrorKind::Usage, std::string(name), std::nullopt, "symlink target of 1..4095 bytes needed");
  return add(name, {S_IFLNK | 0777, 1, target.size(), 0, 0}, target);
}

Result<void> CpioWriter::add_char_device(std::string_view name, uint32_t mode, uint32_t major, uint32_t minor) {
  return add(name, {S_IFCHR | (mode & kPermissionBits), 1, 0, major, minor}, {});
}

std::string CpioWriter::finish() {
  Header trailer;
  trailer.mode = 0;
  (void)add("TRAILER!!!", trailer, {});
  std::string done = std::move(out_);
  out_.clear();
  next_ino_ = 1;
  return done;
}

}  // namespace vmcap::initramfs
