#include "initramfs/local_disk.h"

#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <thread>

#include "initramfs/block_drivers.h"
#include "initramfs/root_path.h"

namespace fs = std::filesystem;

namespace vmcap::initramfs {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kMaxBlockDevices = 4096;  // entries of /sys/class/block looked at per scan
constexpr int kMaxPathDepth = 256;         // components made by make_dirs
constexpr auto kPollInterval = std::chrono::milliseconds(100);
constexpr const char* kDiskDir = "/run/vmcap/disk";

std::string small_file(const fs::path& path, size_t limit) {
  std::ifstream in(path, std::ios::binary);
  std::string text(limit, '\0');
  in.read(text.data(), static_cast<std::streamsize>(limit));
  text.resize(static_cast<size_t>(in.gcount()));
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

bool parse_majmin(const std::string& s, uint32_t& major, uint32_t& minor) {
  const size_t colon = s.find(':');
  if (colon == std::string::npos) return false;
  auto a = std::from_chars(s.data(), s.data() + colon, major);
  auto b = std::from_chars(s.data() + colon + 1, s.data() + s.size(), minor);
  return a.ec == std::errc{} && a.ptr == s.data() + colon && b.ec == std::errc{} && b.ptr == s.data() + s.size();
}

// mkdir -p; false (errno set) when a component cannot be made.
bool make_dirs(const std::string& path) {
  std::string at;
  size_t pos = 1;
  for (int depth = 0; depth < kMaxPathDepth && pos <= path.size(); ++depth) {
    size_t end = path.find('/', pos);
    if (end == std::string::npos) end = path.size();
    at = path.substr(0, end);
    pos = end + 1;
    if (at.empty() || at == "/") continue;
    if (::mkdir(at.c_str(), 0755) != 0 && errno != EEXIST) return false;
  }
  return true;
}

std::string seconds(Clock::duration d) {
  char s[32];
  std::snprintf(s, sizeof s, "%.1f s", std::chrono::duration<double>(d).count());
  return s;
}

std::string errno_text(int e) { return std::strerror(e); }

}  // namespace

std::vector<FoundDevice> scan_block_devices(const std::vector<std::string>& uuids, std::vector<std::string>& tried,
                                            const std::string& root, bool make_nodes) {
  std::vector<FoundDevice> found;
  std::vector<std::string> names;
  std::error_code ec;
  for (fs::directory_iterator it(under_root(root, "/sys/class/block"), ec), end; !ec && it != end; it.increment(ec)) {
    if (names.size() >= kMaxBlockDevices) break;
    names.push_back(it->path().filename().string());
  }
  std::sort(names.begin(), names.end());
  for (const std::string& name : names) {
    if (std::find(tried.begin(), tried.end(), name) != tried.end()) continue;
    const fs::path sys = under_root(root, "/sys/class/block/" + name);
    // Floppies and optical drives: no place for a crash dump, and probing them can take seconds.
    if (name.starts_with("fd") || name.starts_with("sr") || small_file(sys / "size", 32) == "0") {
      tried.push_back(name);
      continue;
    }
    std::string devname = uevent_devname(sys / "uevent");
    if (devname.empty()) devname = name;
    const std::string node = under_root(root, "/dev/" + devname);
    uint32_t major = 0, minor = 0;
    if (make_nodes && !fs::exists(node, ec) && parse_majmin(small_file(sys / "dev", 32), major, minor)) {
      make_dirs(fs::path(node).parent_path().string());
      ::mknod(node.c_str(), S_IFBLK | 0600, ::makedev(major, minor));
    }
    auto id = read_filesystem_identity(node);
    if (!id && id.error().kind == ErrorKind::Io) continue;  // not readable yet: looked at again next time
    tried.push_back(name);
    if (!id) continue;  // a partition table, swap, LVM...: not a filesystem of ours
    for (const auto& u : uuids)
      if (same_uuid(u, id->uuid)) found.push_back({name, node, *id});
  }
  return found;
}

void LocalDisks::mount_all(const Say& say, std::chrono::milliseconds wait) {
  std::error_code ec;
  if (!fs::exists(kDiskMountsPath, ec)) return;
  const std::string text = small_file(kDiskMountsPath, kMaxDiskMountsBytes + 1);
  ParsedDiskMounts parsed = parse_disk_mounts(text);
  for (const auto& p : parsed.problems) say(std::string("disk: ") + kDiskMountsPath + " " + p + " (left out)");
  if (parsed.mounts.empty()) return;

  // Each filesystem once, in the order of its first line.
  struct Wanted {
    std::string uuid, type;
    std::vector<std::string> targets;
    std::optional<FoundDevice> device;
    Clock::duration after{};
    std::string dir;  // where it is mounted; empty: not
  };
  std::vector<Wanted> wanted;
  std::vector<std::string> uuids;
  for (const DiskMount& m : parsed.mounts) {
    auto w = std::find_if(wanted.begin(), wanted.end(), [&](const Wanted& x) { return same_uuid(x.uuid, m.uuid); });
    if (w == wanted.end()) {
      wanted.push_back({m.uuid, m.type, {}, std::nullopt, {}, {}});
      uuids.push_back(m.uuid);
      w = wanted.end() - 1;
    }
    w->targets.push_back(m.target);
  }
  auto targets_of = [](const Wanted& w) {
    std::string t;
    for (const auto& x : w.targets) t += (t.empty() ? "" : ", ") + x;
    return t;
  };

  say("disk: waiting (at most " + seconds(wait) + ") for " + std::to_string(wanted.size()) +
      " filesystem(s) of /etc/vmcap-mounts");
  const auto start = Clock::now();
  std::vector<std::string> tried;
  for (;;) {
    for (FoundDevice& d : scan_block_devices(uuids, tried, "/", true)) {
      for (Wanted& w : wanted)
        if (!w.device && same_uuid(w.uuid, d.id.uuid)) {
          w.device = d;
          w.after = Clock::now() - start;
        }
    }
    if (std::all_of(wanted.begin(), wanted.end(), [](const Wanted& w) { return w.device.has_value(); })) break;
    if (Clock::now() - start >= wait) break;
    std::this_thread::sleep_for(kPollInterval);
  }

  for (size_t i = 0; i < wanted.size(); ++i) {
    Wanted& w = wanted[i];
    const std::string what = w.type + " UUID=" + w.uuid;
    if (!w.device) {
      say("disk: no device with " + what + " after " + seconds(Clock::now() - start) + ": " + targets_of(w) +
          " stays in RAM, lost at reboot (the disk's driver may be missing from the image: see the modules line "
          "above and the image build's disk lines; the capture goes on with the other destinations)");
      continue;
    }
    if (w.device->id.family != *family_of_type(w.type)) {
      say("disk: " + w.device->node + " has UUID=" + w.uuid + " but holds " + w.device->id.type + ", not " + w.type +
          ": not mounted; " + targets_of(w) + " stays in RAM, lost at reboot");
      continue;
    }
    const std::string dir = std::string(kDiskDir) + "/" + std::to_string(i);
    if (!make_dirs(dir)) {
      say("disk: cannot make " + dir + " (" + errno_text(errno) + "): " + targets_of(w) + " stays in RAM, lost at reboot");
      continue;
    }
    // btrfs: the top level (subvolid 5), which the paths are relative to (mountinfo's root).
    const char* data = w.device->id.family == FsFamily::Btrfs ? "subvolid=5" : nullptr;
    std::string type = w.type;
    int rc = ::mount(w.device->node.c_str(), dir.c_str(), type.c_str(), 0, data);
    if (rc != 0 && errno == ENODEV && w.device->id.family == FsFamily::Ext && type != "ext4") {
      type = "ext4";  // ext2 and ext3 are served by ext4 (CONFIG_EXT4_USE_FOR_EXT2)
      rc = ::mount(w.device->node.c_str(), dir.c_str(), type.c_str(), 0, data);
    }
    if (rc != 0) {
      const int e = errno;
      say("disk: mounting " + w.device->node + " (" + what + ") failed: " + errno_text(e) + ": " + targets_of(w) +
          " stays in RAM, lost at reboot (" +
          (e == ENODEV ? "the image lacks the " + w.type + " module" : std::string("the kernel's messages above say why")) +
          "; after the reboot, fsck the disk)");
      continue;
    }
    w.dir = dir;
    filesystems_.push_back({w.uuid, type, w.device->node, dir});
    say("disk: " + what + " is " + w.device->node + " (found after " + seconds(w.after) + "), mounted read-write at " +
        dir);
  }

  for (const DiskMount& m : parsed.mounts) {
    auto w = std::find_if(wanted.begin(), wanted.end(), [&](const Wanted& x) { return same_uuid(x.uuid, m.uuid); });
    if (w == wanted.end() || w->dir.empty()) continue;
    const std::string source = w->dir + (m.path == "/" ? "" : m.path);
    if (!make_dirs(source)) {
      say("disk: cannot make " + m.path + " on " + w->device->node + " (" + errno_text(errno) + "): " + m.target +
          " stays in RAM, lost at reboot");
      continue;
    }
    if (!make_dirs(m.target)) {
      say("disk: cannot make " + m.target + " in the capture kernel (" + errno_text(errno) + "): " + m.path +
          " on " + w->device->node + " is not bound there");
      continue;
    }
    if (::mount(source.c_str(), m.target.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      say("disk: binding " + source + " onto " + m.target + " failed (" + errno_text(errno) + "): " + m.target +
          " stays in RAM, lost at reboot");
      continue;
    }
    binds_.push_back(m.target);
    say("disk: mounted " + w->type + " UUID=" + w->uuid + " (" + w->device->node + ") at " + m.target +
        (m.path == m.target ? "" : m.path == "/" ? " (its root directory)" : " (" + m.path + " on the disk)"));
  }
}

void LocalDisks::unmount_all(const Say& say) {
  if (filesystems_.empty() && binds_.empty()) return;
  ::sync();
  std::vector<std::string> done;
  for (auto t = binds_.rbegin(); t != binds_.rend(); ++t) {
    if (::umount2(t->c_str(), 0) == 0) {
      done.push_back(*t);
    } else if (errno != EINVAL && errno != ENOENT) {  // EINVAL: not mounted (any more)
      say("disk: unmounting " + *t + " failed: " + errno_text(errno) + " (synced: the disk has what was written)");
    }
  }
  for (auto f = filesystems_.rbegin(); f != filesystems_.rend(); ++f) {
    const std::string what = f->type + " UUID=" + f->uuid + " (" + f->node + ")";
    if (::umount2(f->dir.c_str(), 0) == 0) {
      done.push_back(what);
    } else if (errno == EBUSY) {
      // A write the deadline cut still holds it: read-only at least, so the journal is clean.
      if (::mount(nullptr, f->dir.c_str(), nullptr, MS_REMOUNT | MS_RDONLY, nullptr) == 0)
        say("disk: " + what + " is busy: remounted read-only (synced)");
      else
        say("disk: " + what + " is busy and stays mounted (synced: its journal is replayed at the next mount)");
    } else if (errno != EINVAL && errno != ENOENT) {
      say("disk: unmounting " + what + " failed: " + errno_text(errno) + " (synced)");
    }
  }
  if (!done.empty()) {
    std::string list;
    for (const auto& d : done) list += (list.empty() ? "" : ", ") + d;
    say("disk: synced and unmounted " + list);
  }
}

}  // namespace vmcap::initramfs
