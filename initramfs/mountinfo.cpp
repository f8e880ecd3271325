#include "initramfs/mountinfo.h"

#include <charconv>

namespace vmcap::initramfs {
namespace {

constexpr size_t kMaxFields = 64;  // 10 fixed ones and a few optional tags ("shared:1 master:2")

std::vector<std::string_view> split_spaces(std::string_view line) {
  std::vector<std::string_view> fields;
  size_t at = 0;
  while (at < line.size() && fields.size() < kMaxFields) {
    while (at < line.size() && line[at] == ' ') ++at;
    size_t end = at;
    while (end < line.size() && line[end] != ' ') ++end;
    if (end > at) fields.push_back(line.substr(at, end - at));
    at = end;
  }
  return fields;
}

bool parse_u32(std::string_view s, uint32_t& out) {
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, 10);
  return !s.empty() && ec == std::errc{} && p == s.data() + s.size();
}

bool is_octal(char c) { return c >= '0' && c <= '7'; }

// Whether PATH is MOUNT_POINT or below it.
bool is_under(std::string_view path, std::string_view mount_point) {
  if (mount_point == "/") return path.starts_with('/');
  if (!path.starts_with(mount_point)) return false;
  return path.size() == mount_point.size() || path[mount_point.size()] == '/';
}

}  // namespace

std::string unescape_mount_field(std::string_view field) {
  std::string out;
  out.reserve(field.size());
  for (size_t i = 0; i < field.size(); ++i) {
    if (field[i] == '\\' && i + 3 < field.size() && is_octal(field[i + 1]) && is_octal(field[i + 2]) &&
        is_octal(field[i + 3])) {
      const int v = (field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 + (field[i + 3] - '0');
      if (v < 256) {
        out += static_cast<char>(v);
        i += 3;
        continue;
      }
    }
    out += field[i];
  }
  return out;
}

MountTable parse_mountinfo(std::string_view text) {
  MountTable table;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view line = text.substr(at, end - at);
    at = end + 1;
    if (line.empty()) continue;
    if (table.mounts.size() >= kMaxMounts) {
      table.cut = true;
      break;
    }
    const auto f = split_spaces(line);
    // The optional fields end at the lone "-"; three fields follow it.
    size_t dash = 6;
    while (dash < f.size() && f[dash] != "-") ++dash;
    const std::string_view dev = f.size() > 2 ? f[2] : std::string_view{};
    const size_t colon = dev.find(':');
    MountInfoEntry e;
    if (f.size() < 10 || dash + 2 >= f.size() || colon == std::string_view::npos ||
        !parse_u32(dev.substr(0, colon), e.major) || !parse_u32(dev.substr(colon + 1), e.minor)) {
      ++table.skipped;
      continue;
    }
    e.root = unescape_mount_field(f[3]);
    e.mount_point = unescape_mount_field(f[4]);
    e.fstype = std::string(f[dash + 1]);
    e.source = unescape_mount_field(f[dash + 2]);
    if (!e.mount_point.starts_with('/') || !e.root.starts_with('/')) {
      ++table.skipped;
      continue;
    }
    table.mounts.push_back(std::move(e));
  }
  return table;
}

const MountInfoEntry* mount_holding(const MountTable& table, const std::string& path) {
  const MountInfoEntry* best = nullptr;
  for (const MountInfoEntry& m : table.mounts) {
    if (!is_under(path, m.mount_point)) continue;
    if (!best || m.mount_point.size() >= best->mount_point.size()) best = &m;
  }
  return best;
}

std::string path_inside(const MountInfoEntry& mount, const std::string& path) {
  std::string below = mount.mount_point == "/" ? path : path.substr(mount.mount_point.size());
  if (below == "/") below.clear();
  if (mount.root == "/") return below.empty() ? "/" : below;
  return mount.root + below;
}

}  // namespace vmcap::initramfs
