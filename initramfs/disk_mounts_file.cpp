#include "initramfs/disk_mounts_file.h"

#include "initramfs/fs_identity.h"
#include "initramfs/mountinfo.h"

namespace vmcap::initramfs {
namespace {

// Blanks, control characters and the backslash as \ooo (mountinfo's \040 for a space).
std::string escaped(std::string_view s) {
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u == 0x7f || c == '\\') {
      char e[5] = {'\\', static_cast<char>('0' + (u >> 6)), static_cast<char>('0' + ((u >> 3) & 7)),
                   static_cast<char>('0' + (u & 7)), 0};
      out += e;
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<std::string_view> blank_fields(std::string_view line, size_t max) {
  std::vector<std::string_view> f;
  size_t at = 0;
  while (at < line.size() && f.size() <= max) {
    while (at < line.size() && (line[at] == ' ' || line[at] == '\t' || line[at] == '\r')) ++at;
    size_t end = at;
    while (end < line.size() && line[end] != ' ' && line[end] != '\t' && line[end] != '\r') ++end;
    if (end > at) f.push_back(line.substr(at, end - at));
    at = end;
  }
  return f;
}

bool valid_uuid(std::string_view u) {
  if (u.empty() || u.size() > 64) return false;
  for (char c : u)
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == '-')) return false;
  return true;
}

// Why PATH is not a clean absolute path, or "".
std::string bad_path(std::string_view path) {
  if (path.empty() || path.front() != '/') return "is not absolute";
  if (path.size() > kMaxMountPathBytes) return "is longer than " + std::to_string(kMaxMountPathBytes) + " bytes";
  if (path.find('\0') != std::string_view::npos) return "holds a NUL byte";
  size_t at = 1;
  while (at <= path.size()) {
    size_t end = path.find('/', at);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view part = path.substr(at, end - at);
    if (part == "." || part == "..") return "has a '" + std::string(part) + "' component";
    if (part.empty() && end < path.size()) return "has an empty component ('//')";
    at = end + 1;
  }
  return {};
}

bool at_or_under(std::string_view path, std::string_view dir) {
  return path == dir || (path.starts_with(dir) && path.size() > dir.size() && path[dir.size()] == '/');
}

}  // namespace

std::string bad_mount_target(std::string_view target) {
  if (auto why = bad_path(target); !why.empty()) return why;
  if (target == "/") return "is the capture kernel's root";
  for (const char* system : {"/proc", "/sys", "/dev", "/run"})
    if (at_or_under(target, system)) return std::string("is ") + system + " or below it (mounted by /init itself)";
  return {};
}

std::string format_disk_mounts(const std::vector<DiskMount>& mounts) {
  std::string text =
      "# The local filesystems vmcap's /init mounts before the capture (docs/initramfs.md):\n"
      "# UUID TYPE PATH-IN-FILESYSTEM TARGET (in paths \\040 is a space, as in /proc/self/mountinfo)\n";
  for (const DiskMount& m : mounts)
    text += m.uuid + " " + m.type + " " + escaped(m.path) + " " + escaped(m.target) + "\n";
  return text;
}

ParsedDiskMounts parse_disk_mounts(std::string_view text) {
  ParsedDiskMounts out;
  if (text.size() > kMaxDiskMountsBytes) {
    out.problems.push_back("larger than " + std::to_string(kMaxDiskMountsBytes) + " bytes: only the start is read");
    text = text.substr(0, kMaxDiskMountsBytes);
  }
  size_t at = 0, number = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(at, end - at);
    at = end + 1;
    ++number;
    const auto f = blank_fields(line, 4);
    if (f.empty() || f[0].starts_with('#')) continue;
    const std::string where = "line " + std::to_string(number) + ": ";
    if (out.mounts.size() >= kMaxDiskMounts) {
      out.problems.push_back(where + "more than " + std::to_string(kMaxDiskMounts) + " mounts: the rest are left out");
      break;
    }
    if (f.size() != 4) {
      out.problems.push_back(where + "want 4 fields (UUID TYPE PATH TARGET), got " +
                             (f.size() > 4 ? std::string("more") : std::to_string(f.size())));
      continue;
    }
    DiskMount m{std::string(f[0]), std::string(f[1]), unescape_mount_field(f[2]), unescape_mount_field(f[3])};
    if (!valid_uuid(m.uuid)) {
      out.problems.push_back(where + "UUID '" + m.uuid.substr(0, 64) + "' is not hex digits and dashes");
      continue;
    }
    if (!family_of_type(m.type)) {
      out.problems.push_back(where + "TYPE '" + m.type.substr(0, 32) + "' is not ext2, ext3, ext4, xfs, btrfs or vfat");
      continue;
    }
    if (auto why = bad_path(m.path); !why.empty()) {
      out.problems.push_back(where + "PATH " + why);
      continue;
    }
    if (auto why = bad_mount_target(m.target); !why.empty()) {
      out.problems.push_back(where + "TARGET " + why);
      continue;
    }
    out.mounts.push_back(std::move(m));
  }
  return out;
}

}  // namespace vmcap::initramfs
