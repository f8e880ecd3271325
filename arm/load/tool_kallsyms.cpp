#include "arm/load/tool_kallsyms.h"

#include <fcntl.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

#include <fmt/format.h>

#include "arm/machine/arm64_image.h"
#include "arm/machine/kallsyms_text.h"
#include "arm/machine/machine_files.h"

namespace vmcap::arm {
namespace {

constexpr size_t kMaxKallsymsBytes = 256u << 20;  // Debian's arm64 6.1: ~9 MiB

// The symbols, read a line at a time (the file has no size to read it by).
Result<KexecToolSymbols> read_symbols(const std::string& path) {
  std::ifstream in(path);
  if (!in) return make_error(ErrorKind::Io, path, std::nullopt, std::strerror(errno));
  std::string wanted;
  size_t read = 0;
  for (std::string line; std::getline(in, line) && read < kMaxKallsymsBytes;) {
    read += line.size() + 1;
    // Only the three names go to the parser: the file has some 100,000 lines.
    if (line.ends_with(" _text") || line.ends_with(" _stext") || line.ends_with(" __init_begin"))
      wanted += line + "\n";
  }
  return find_kexec_tool_symbols(wanted);
}

Result<void> write_file(const std::string& path, const std::string& text) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return make_error(ErrorKind::Io, path, std::nullopt, std::strerror(errno));
  const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  const int e = errno;
  ::close(fd);
  if (!written) return make_error(ErrorKind::Io, path, std::nullopt, std::strerror(e));
  return ok();
}

}  // namespace

Result<ToolKallsyms> prepare_tool_kallsyms(const std::string& root, const std::string& run_dir) {
  const std::string kallsyms = under_root(root, "/proc/kallsyms");
  KexecToolSymbols symbols = VMCAP_TRY(read_symbols(kallsyms));
  ToolKallsyms out;
  if (symbols.text) {
    out.note = "/proc/kallsyms lists _text: kexec -p reads it as it is";
    return out;
  }
  struct utsname u {};
  ::uname(&u);
  const std::string image = under_root(root, std::string("/boot/vmlinuz-") + u.release);
  std::optional<uint64_t> offset;
  auto running = read_arm64_kernel(image);
  if (running) offset = running->stext_offset;
  auto text = kexec_tool_kallsyms(symbols, offset);
  if (!text) {
    Error e = text.error();
    if (!running) e.reason += " (" + running.error().message() + ")";
    return e;
  }
  const std::string file = run_dir + "/kallsyms-for-kexec";
  VMCAP_CHECK(write_file(file, **text));
  out.binds.push_back({file, "/proc/kallsyms"});
  out.note = fmt::format("/proc/kallsyms has no _text (no CONFIG_KALLSYMS_ALL): kexec -p reads {} instead, with "
                         "_text = _stext - {:#x} (where {} puts _stext)",
                         file, *offset, image);
  return out;
}

}  // namespace vmcap::arm
