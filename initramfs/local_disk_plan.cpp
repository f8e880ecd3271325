#include "initramfs/local_disk_plan.h"

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "initramfs/block_drivers.h"
#include "initramfs/fs_identity.h"
#include "initramfs/mountinfo.h"
#include "initramfs/root_path.h"

namespace fs = std::filesystem;

namespace vmcap::initramfs {
namespace {

constexpr int kMaxPathComponents = 256;     // walked up to find the nearest existing ancestor
constexpr size_t kMaxByUuidLinks = 4096;    // entries of /dev/disk/by-uuid looked at
const std::string kLostAtReboot = "in the capture kernel it is RAM, lost at reboot";

// The text of ROOT/ABS_PATH up to LIMIT bytes, or why not.
Result<std::string> read_text(const std::string& root, const std::string& abs_path, size_t limit) {
  std::ifstream in(under_root(root, abs_path), std::ios::binary);
  if (!in) return make_error(ErrorKind::Missing, abs_path, std::nullopt, "cannot open");
  std::string text(limit, '\0');
  in.read(text.data(), static_cast<std::streamsize>(limit));
  text.resize(static_cast<size_t>(in.gcount()));
  return text;
}

// PATH without "." and ".." components, doubled or trailing slashes.
std::string normalized(const std::string& path) {
  std::string s = fs::path(path).lexically_normal().string();
  while (s.size() > 1 && s.back() == '/') s.pop_back();
  return s;
}

// PATH as the running system resolves it: its nearest existing ancestor with symlinks
// resolved (inside ROOT), then the part that does not exist yet.
std::string resolved(const std::string& root, const std::string& path) {
  const std::string s = normalized(path);
  fs::path p = s;
  std::error_code ec;
  const fs::path real_root = fs::canonical(root.empty() ? "/" : root, ec);
  std::vector<std::string> tail;
  for (int i = 0; i < kMaxPathComponents; ++i) {
    fs::path real = fs::canonical(under_root(root, p.string()), ec);
    if (!ec) {
      std::string r = real.string();
      const std::string top = real_root.string();
      if (top != "/" && !top.empty()) {
        if (r == top) r = "/";
        else if (r.starts_with(top + "/")) r = r.substr(top.size());
        else r = p.string();  // a link out of the tree: keep the path as written
      }
      fs::path out = r;
      for (auto it = tail.rbegin(); it != tail.rend(); ++it) out /= *it;
      return out.string();
    }
    if (p == "/" || p.empty()) break;
    tail.push_back(p.filename().string());
    p = p.parent_path();
  }
  return s;
}

// The UUID a /dev/disk/by-uuid link gives DEVNAME ("../../vda1"), udev's record of the
// superblock: for a user who cannot read the device itself.
std::string uuid_from_links(const std::string& root, const std::string& devname) {
  std::error_code ec;
  size_t seen = 0;
  for (fs::directory_iterator it(under_root(root, "/dev/disk/by-uuid"), ec), end; !ec && it != end; it.increment(ec)) {
    if (++seen > kMaxByUuidLinks) break;
    std::error_code e2;
    const fs::path target = fs::read_symlink(it->path(), e2);
    if (!e2 && target.filename() == fs::path(devname).filename()) return it->path().filename().string();
  }
  return {};
}

bool is_network_fs(const std::string& type) {
  return type.starts_with("nfs") || type == "cifs" || type == "smb3" || type == "ceph" || type == "9p" ||
         type.starts_with("fuse.sshfs") || type == "glusterfs" || type == "virtiofs";
}

std::string join(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

struct Planner {
  const std::string& root;
  LocalDiskPlan plan;
  std::optional<MountTable> table;
  std::string table_error;

  const MountTable* mounts() {
    if (table || !table_error.empty()) return table ? &*table : nullptr;
    auto text = read_text(root, "/proc/self/mountinfo", kMaxMountInfoBytes);
    if (!text) {
      table_error = text.error().message();
      return nullptr;
    }
    table = parse_mountinfo(*text);
    return &*table;
  }

  void keep_in_ram(const LocalPath& l, const std::string& why) {
    plan.warnings.push_back(l.what + " " + why + ": " + kLostAtReboot);
  }

  void need(std::vector<std::string> names, std::string why, bool optional = false) {
    for (const ModuleNeed& n : plan.modules)
      if (n.names == names) return;
    plan.modules.push_back({std::move(names), std::move(why), optional});
  }

  void add(const LocalPath& l) {
    if (l.path.empty() || l.path.front() != '/') {
      plan.warnings.push_back(l.what + " is not an absolute path: left as it is");
      return;
    }
    const std::string path = resolved(root, l.path);
    const MountTable* table = mounts();
    if (!table) {
      plan.warnings.push_back(l.what + ": cannot read /proc/self/mountinfo (" + table_error + "): " + kLostAtReboot);
      return;
    }
    const MountInfoEntry* m = mount_holding(*table, path);
    if (!m) return keep_in_ram(l, "is on no mount of /proc/self/mountinfo");
    const std::string on = " (" + m->source + " at " + m->mount_point + ")";
    if (is_network_fs(m->fstype))
      return keep_in_ram(l, "is on " + m->fstype + on + ", which vmcap's /init does not mount (an sftp:// or "
                            "http:// destination reaches a server from the capture kernel)");
    const auto family = family_of_type(m->fstype);
    if (!family) {
      if (m->major == 0 || m->fstype == "tmpfs" || m->fstype == "ramfs" || m->fstype == "rootfs" ||
          m->fstype == "overlay")
        return keep_in_ram(l, "is on " + m->fstype);
      return keep_in_ram(l, "is on " + m->fstype + on + ", which vmcap's /init cannot mount (ext2/3/4, xfs, "
                            "btrfs and vfat only)");
    }
    uint32_t major = m->major, minor = m->minor;
    if (major == 0) {  // btrfs: an anonymous st_dev; the source names the device
      struct stat st {};
      if (!m->source.starts_with("/dev/") || ::stat(under_root(root, m->source).c_str(), &st) != 0 ||
          !S_ISBLK(st.st_mode))
        return keep_in_ram(l, "is on " + m->fstype + on + ", whose block device cannot be found");
      major = ::major(st.st_rdev);
      minor = ::minor(st.st_rdev);
    }
    const std::string majmin = std::to_string(major) + ":" + std::to_string(minor);
    auto dev = block_device(major, minor, root);
    if (!dev) return keep_in_ram(l, "is on " + m->fstype + on + ", but " + dev.error().message());
    if (dev->is_virtual)
      return keep_in_ram(l, "is on " + m->fstype + " on /dev/" + dev->devname + " (" + majmin +
                                "), a device-mapper, md RAID or loop device, which vmcap's /init does not set up");
    const std::string node = "/dev/" + dev->devname;
    std::string uuid, how_uuid = "from its superblock";
    auto id = read_filesystem_identity(under_root(root, node));
    if (id && id->family != *family)
      return keep_in_ram(l, "is on " + m->fstype + on + ", but " + node + " holds " + id->type);
    if (id) {
      uuid = id->uuid;
    } else {
      uuid = uuid_from_links(root, dev->devname);
      how_uuid = "from /dev/disk/by-uuid (reading " + node + " failed: " + id.error().reason + ")";
      if (uuid.empty())
        return keep_in_ram(l, "is on " + m->fstype + " on " + node + ", whose UUID cannot be read (" +
                                  id.error().message() + (::geteuid() != 0 ? "; run vmcap as root" : "") +
                                  ", and no /dev/disk/by-uuid link names it)");
    }
    // Bound where the capture writes: the path as the config names it, even when a symlink
    // on the running system leads elsewhere (the initramfs has no such symlink).
    DiskMount mount{uuid, m->fstype, path_inside(*m, path), normalized(l.path)};
    if (auto why = bad_mount_target(mount.target); !why.empty())
      return keep_in_ram(l, "cannot be bound in the capture kernel: it " + why);
    if (std::find(plan.mounts.begin(), plan.mounts.end(), mount) == plan.mounts.end()) plan.mounts.push_back(mount);

    // The disk's drivers outermost (the bus) first, then the filesystem's.
    std::vector<std::string> drivers;
    for (auto d = dev->drivers.rbegin(); d != dev->drivers.rend(); ++d) {
      drivers.push_back(d->module.empty() ? d->driver + " (built in)" : d->module);
      if (!d->module.empty()) need({d->module}, dev->disk + "'s driver (" + d->how + ")");
    }
    need({"fs-" + m->fstype, m->fstype == "ext2" || m->fstype == "ext3" ? "ext4" : m->fstype},
         "the " + m->fstype + " filesystem of " + path);
    if (*family == FsFamily::Vfat) {
      // vfat's defaults (Debian: CONFIG_FAT_DEFAULT_CODEPAGE=437, _IOCHARSET="ascii"; utf8
      // and iso8859-1 for the other usual ones): loaded by name at mount time, no modprobe here.
      for (const char* nls : {"nls_cp437", "nls_ascii", "nls_utf8", "nls_iso8859_1"})
        need({nls}, "vfat's character set " + std::string(nls), true);
    }
    plan.found.push_back(l.what + ": " + m->fstype + " UUID=" + uuid + " (" + how_uuid + ") on " + node + " (" +
                         majmin + "), " + mount.path + " inside it" +
                         (mount.target == path ? "" : " (" + mount.target + " leads there)") + "; drivers " +
                         (drivers.empty() ? std::string("none found in sysfs") : join(drivers)) +
                         ". The capture kernel mounts it and binds it at " + mount.target);
  }
};

}  // namespace

std::vector<LocalPath> local_paths_of(const config::Config& config) {
  std::vector<LocalPath> out;
  auto same = [](const std::string& a, const std::string& b) { return normalized(a) == normalized(b); };
  auto add = [&](const std::string& path, std::string what) {
    for (const auto& l : out)
      if (same(l.path, path)) return;
    out.push_back({path, std::move(what)});
  };
  for (const auto& d : config.destinations)
    if (d.kind == config::DestinationKind::File) add(d.path, d.url + " ([destination " + d.name + "])");
  if (!config.fallback_path.empty()) add(config.fallback_path, "fallback_path " + config.fallback_path);
  return out;
}

LocalDiskPlan plan_local_disks(const config::Config& config, const std::string& root) {
  Planner p{root, {}, std::nullopt, {}};
  for (const LocalPath& l : local_paths_of(config)) p.add(l);
  // A parent's bind first: a child's target is then made inside the parent's filesystem.
  std::stable_sort(p.plan.mounts.begin(), p.plan.mounts.end(),
                   [](const DiskMount& a, const DiskMount& b) { return a.target.size() < b.target.size(); });
  return std::move(p.plan);
}

DiskModules resolve_disk_modules(const ModuleTree& tree, const LocalDiskPlan& plan) {
  DiskModules out;
  std::vector<std::string> chosen;
  for (const ModuleNeed& n : plan.modules) {
    bool found = false;
    for (const std::string& name : n.names) {
      auto p = plan_modules_leniently(tree, {name});
      if (!p) {
        out.warnings.push_back("the disks' modules cannot be looked up: " + p.error().message());
        return out;
      }
      if (p->load_order.empty() && p->builtin.empty()) continue;
      if (!p->load_order.empty() && std::find(chosen.begin(), chosen.end(), name) == chosen.end())
        chosen.push_back(name);
      found = true;
      break;
    }
    if (!found && !n.optional)
      out.warnings.push_back(tree.release + " has no module " + join(n.names) + " for " + n.why +
                             ": unless it is built in under another name, the capture kernel cannot mount that disk");
  }
  if (chosen.empty()) return out;
  // What modprobe would load before them: ext4's and jbd2's crc32c, btrfs' hashes.
  std::vector<std::string> loaded;
  if (auto p = plan_modules_leniently(tree, chosen))
    for (const auto& path : p->load_order) loaded.push_back(module_name_of_path(path));
  for (const auto& soft : soft_predependencies(tree, loaded))
    if (std::find(out.names.begin(), out.names.end(), soft) == out.names.end()) out.names.push_back(soft);
  for (const auto& name : chosen)
    if (std::find(out.names.begin(), out.names.end(), name) == out.names.end()) out.names.push_back(name);
  return out;
}

}  // namespace vmcap::initramfs
