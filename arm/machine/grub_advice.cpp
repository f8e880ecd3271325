#include "arm/machine/grub_advice.h"

#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "arm/machine/machine_files.h"

namespace fs = std::filesystem;

namespace vmcap::arm {
namespace {

constexpr size_t kMaxGrubFiles = 64;
constexpr size_t kMaxGrubFileBytes = 64u << 10;

// The crashkernel= lines of one file; after_ours: the file is sourced after vmcap.cfg.
void scan(const std::string& root, const std::string& path, bool after_ours, std::vector<CrashkernelConflict>& out) {
  auto f = read_machine_file(root, path, kMaxGrubFileBytes);
  if (!f) return;
  std::string_view text = f->text;
  size_t at = 0, line_no = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = trim(text.substr(at, end - at));
    at = end + 1;
    ++line_no;
    if (line.empty() || line.front() == '#' || line.find("crashkernel=") == std::string_view::npos) continue;
    CrashkernelConflict c;
    c.where = fmt::format("{}:{}", path, line_no);
    c.line = std::string(line.substr(0, 200));
    // _DEFAULT follows GRUB_CMDLINE_LINUX on the line; a later file's GRUB_CMDLINE_LINUX follows ours.
    c.wins = line.find("GRUB_CMDLINE_LINUX_DEFAULT") != std::string_view::npos || after_ours;
    out.push_back(std::move(c));
  }
}

}  // namespace

CrashkernelAdvice crashkernel_advice(uint64_t bytes, const std::string& root) {
  CrashkernelAdvice a;
  a.parameter = fmt::format("crashkernel={}M", bytes / (1u << 20) + (bytes % (1u << 20) != 0));
  a.file = kGrubSnippet;
  a.content = fmt::format("GRUB_CMDLINE_LINUX=\"$GRUB_CMDLINE_LINUX {}\"\n", a.parameter);
  a.command = "update-grub";

  scan(root, "/etc/default/grub", false, a.conflicts);
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(under_root(root, "/etc/default/grub.d"), ec), end; !ec && it != end; it.increment(ec)) {
    const std::string n = it->path().filename().string();
    if (n.ends_with(".cfg") && n != "vmcap.cfg") names.push_back(n);
    if (names.size() >= kMaxGrubFiles) break;
  }
  std::sort(names.begin(), names.end());  // the shell's glob order for these names (C locale)
  for (const std::string& n : names) scan(root, "/etc/default/grub.d/" + n, n > "vmcap.cfg", a.conflicts);
  return a;
}

}  // namespace vmcap::arm
