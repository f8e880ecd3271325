#include "initramfs/image_builder.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <variant>

#include "capture/config/config_parser.h"
#include "initramfs/config_files.h"
#include "initramfs/kernel_machine.h"
#include "initramfs/cpio_writer.h"
#include "initramfs/local_disk_plan.h"
#include "initramfs/module_files.h"
#include "initramfs/module_tree.h"
#include "initramfs/static_binary.h"

namespace vmcap::initramfs {
namespace {

constexpr uint64_t kMaxConfigFileBytes = 64ull << 20;  // a CA bundle is ~200 KB

struct Directory {};
struct File {
  uint32_t mode;
  std::string bytes;
};
struct Symlink {
  std::string target;
};
struct CharDevice {
  uint32_t mode, major, minor;
};
using Entry = std::variant<Directory, File, Symlink, CharDevice>;

// The archive's entries by path: a map keeps parents before children (a path's parent
// is a prefix of it, so it sorts first), which the kernel's unpacker needs.
class ImageTree {
 public:
  void add(std::string path, Entry entry) {
    while (!path.empty() && path.front() == '/') path.erase(0, 1);
    for (size_t slash = path.find('/'); slash != std::string::npos; slash = path.find('/', slash + 1))
      entries_.emplace(path.substr(0, slash), Directory{});
    entries_[path] = std::move(entry);
  }
  Result<std::string> cpio() const {
    CpioWriter w;
    for (const auto& [path, entry] : entries_) {
      if (std::holds_alternative<Directory>(entry)) VMCAP_CHECK(w.add_directory(path, 0755));
      else if (auto* f = std::get_if<File>(&entry)) VMCAP_CHECK(w.add_file(path, f->mode, f->bytes));
      else if (auto* l = std::get_if<Symlink>(&entry)) VMCAP_CHECK(w.add_symlink(path, l->target));
      else if (auto* c = std::get_if<CharDevice>(&entry)) VMCAP_CHECK(w.add_char_device(path, c->mode, c->major, c->minor));
    }
    return w.finish();
  }

 private:
  std::map<std::string, Entry> entries_;
};

Result<std::string> read_small_file(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) return make_error(ErrorKind::Missing, path, std::nullopt, std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return make_error(ErrorKind::Format, path, std::nullopt, "not a regular file");
  if (static_cast<uint64_t>(st.st_size) > kMaxConfigFileBytes)
    return make_error(ErrorKind::Limit, path, std::nullopt, "larger than 64 MiB");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  if (!in) return make_error(ErrorKind::Io, path, std::nullopt, "cannot read");
  return s.str();
}

// The machine /init must be built for: the capture kernel's (its config, when the module
// tree has one), else this vmcap's own.
struct InitMachine {
  uint16_t machine;
  std::string source;  // "" for this vmcap's
};
InitMachine init_machine(const ImageRequest& r) {
  auto tree = module_tree_for(r);
  if (!tree) return {this_elf_machine(), ""};
  const std::string config = tree->root + "/boot/config-" + tree->release;
  if (auto m = kernel_config_machine(config)) return {*m, config};
  return {this_elf_machine(), ""};
}

Result<std::string> init_binary(const ImageRequest& r) {
  const InitMachine want = init_machine(r);
  auto for_kernel = [&](Result<std::string> bytes) -> Result<std::string> {
    if (bytes || want.source.empty()) return bytes;
    Error e = bytes.error();
    e.reason += " (the kernel is " + elf_machine_name(want.machine) + ", says " + want.source + ")";
    return e;
  };
  if (!r.vmcap_binary.empty()) return for_kernel(read_static_executable(r.vmcap_binary, want.machine));
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  std::string path = n > 0 ? std::string(self, n) : "/proc/self/exe";
  auto bytes = for_kernel(read_static_executable("/proc/self/exe", want.machine));
  if (!bytes)
    return make_error(ErrorKind::Usage, path, std::nullopt,
                      "this vmcap cannot be /init: " + bytes.error().reason +
                          " (or pass --vmcap PATH of the static vmcap.stripped)");
  return bytes;
}

Result<config::Config> checked_config(const ImageRequest& r, ImageReport& report) {
  auto loaded = VMCAP_TRY(config::load_config(r.config_path));
  if (!loaded.ok()) {
    std::string all;
    for (const auto& p : loaded.problems) all += "\n  " + config::format_problem(r.config_path, p);
    if (!r.force)
      return make_error(ErrorKind::Usage, r.config_path, std::nullopt,
                        "the config has problems; an image that cannot capture is worse than none "
                        "(--force builds it anyway):" + all);
    report.warnings.push_back("building with what parsed (the capture kernel uses every key that parsed and every destination without a problem):" + all);
  }
  if (!loaded.config.network) {
    for (const auto& d : loaded.config.destinations)
      if (d.kind != config::DestinationKind::File) {
        report.warnings.push_back("destination " + d.name + " is remote but the config has no [network] section: "
                                  "the image will not set the network up");
        break;
      }
  }
  return loaded.config;
}

// Whether binding a disk onto TARGET would hide a file the image itself holds (its /init,
// config, the files the config names, the modules) from the capture.
std::string hides_image_files(const std::string& target, const config::Config& config) {
  std::vector<std::string> held = {"/init", "/bin/vmcap", "/etc/vmcap.conf", kDiskMountsPath, "/lib/modules"};
  for (const auto& f : files_named_by(config)) held.push_back(std::filesystem::path(f.path).lexically_normal().string());
  for (const auto& h : held)
    if (h == target || h.starts_with(target + "/")) return h;
  return {};
}

Result<void> add_modules(const ImageRequest& r, const std::vector<std::string>& names, ImageTree& image,
                         ImageReport& report) {
  if (names.empty()) return ok();
  ModuleTree tree = VMCAP_TRY(module_tree_for(r));
  ModulePlan plan = VMCAP_TRY(plan_modules(tree, names));
  KernelModuleSupport support = read_kernel_module_support(tree);
  report.kernel_release = tree.release;
  report.builtin_modules = plan.builtin;
  const std::string base = "lib/modules/" + tree.release + "/";
  std::string order;
  for (const auto& path : plan.load_order) {
    ModuleFile m = VMCAP_TRY(prepare_module(tree, path, support));
    if (m.decompressed_here) report.warnings.push_back(path + ": decompressed (the kernel cannot load it compressed)");
    order += m.path + "\n";
    report.modules.push_back(m.path);
    image.add(base + m.path, File{0644, std::move(m.bytes)});
  }
  image.add(base + kModuleOrderFile, File{0644, order});
  return ok();
}

// The kernel unpacks the initramfs with a streaming zstd decoder whose workspace is the
// frame's window: level 19's 8 MiB window made a 96M crash kernel run out of memory while
// unpacking. A 256 KiB window costs about 3% of the image size.
constexpr int kInitramfsZstdWindowLog = 18;

Result<std::string> zstd_compressed(const std::string& cpio, int level) {
  ZSTD_CCtx* cctx = ZSTD_createCCtx();
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_compressionLevel, level);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_windowLog, kInitramfsZstdWindowLog);
  ZSTD_CCtx_setParameter(cctx, ZSTD_c_checksumFlag, 1);
  std::string out(ZSTD_compressBound(cpio.size()), '\0');
  size_t n = ZSTD_compress2(cctx, out.data(), out.size(), cpio.data(), cpio.size());
  ZSTD_freeCCtx(cctx);
  if (ZSTD_isError(n)) return make_error(ErrorKind::Io, "", std::nullopt, std::string("zstd: ") + ZSTD_getErrorName(n));
  out.resize(n);
  return out;
}

Result<void> write_private_file(const std::string& path, const std::string& bytes) {
  const std::string tmp = path + ".tmp";
  int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return make_error(ErrorKind::Io, tmp, std::nullopt, std::strerror(errno));
  fchmod(fd, 0600);  // an existing file keeps its mode through O_CREAT
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = errno;
      close(fd);
      unlink(tmp.c_str());
      return make_error(ErrorKind::Io, tmp, done, std::strerror(e));
    }
    done += n;
  }
  if (fsync(fd) != 0 || close(fd) != 0) {
    unlink(tmp.c_str());
    return make_error(ErrorKind::Io, tmp, std::nullopt, std::strerror(errno));
  }
  if (rename(tmp.c_str(), path.c_str()) != 0) {
    int e = errno;
    unlink(tmp.c_str());
    return make_error(ErrorKind::Io, path, std::nullopt, std::string("rename: ") + std::strerror(e));
  }
  return ok();
}

}  // namespace

Result<ModuleTree> module_tree_for(const ImageRequest& r) {
  if (!r.kernel_root.empty() && !r.kernel_release.empty()) {
    auto tree = VMCAP_TRY(module_tree_in_root(r.kernel_root));
    if (tree.release != r.kernel_release)
      return make_error(ErrorKind::Usage, tree.dir, std::nullopt, "the root holds " + tree.release + ", not " + r.kernel_release);
    return tree;
  }
  if (!r.kernel_root.empty()) return module_tree_in_root(r.kernel_root);
  if (!r.kernel_release.empty()) return module_tree_for_release(r.kernel_release);
  struct utsname u {};
  uname(&u);
  return module_tree_for_release(u.release);
}

std::vector<std::string> module_names_for(const ImageRequest& r, const config::Config& config) {
  std::vector<std::string> modules;
  if (config.network) modules = config.network->modules;
  modules.insert(modules.end(), r.modules.begin(), r.modules.end());
  return modules;
}

ImageDisks local_disks_for(const ImageRequest& r, const config::Config& config) {
  ImageDisks out;
  LocalDiskPlan plan = plan_local_disks(config, r.system_root);
  out.found = std::move(plan.found);
  out.warnings = std::move(plan.warnings);
  for (auto& m : plan.mounts) {
    if (auto held = hides_image_files(m.target, config); !held.empty()) {
      out.warnings.push_back(m.target + " holds the image's own " + held + ": a disk bound there would hide it from the "
                             "capture, so it is not mounted (" + m.target + " stays in RAM, lost at reboot)");
      continue;
    }
    out.mounts.push_back(std::move(m));
  }
  if (out.mounts.empty() || plan.modules.empty()) return out;
  auto tree = module_tree_for(r);
  if (!tree) {
    out.warnings.push_back("the disks' modules cannot be put in the image (" + tree.error().message() +
                           "): the capture kernel can mount them only if its drivers are built in");
    return out;
  }
  DiskModules modules = resolve_disk_modules(*tree, plan);
  out.module_names = std::move(modules.names);
  for (auto& w : modules.warnings) out.warnings.push_back(std::move(w));
  return out;
}

Result<ImageReport> build_initramfs(const ImageRequest& r) {
  ImageReport report;
  if (r.output.empty()) return make_error(ErrorKind::Usage, "", std::nullopt, "no output file");
  if (r.compress && (r.zstd_level < 1 || r.zstd_level > ZSTD_maxCLevel()))
    return make_error(ErrorKind::Usage, "", std::nullopt, "zstd level " + std::to_string(r.zstd_level) + " is not 1..19");
  ImageTree image;

  std::string init = VMCAP_TRY(init_binary(r));
  report.init_bytes = init.size();
  image.add("init", File{0755, std::move(init)});
  image.add("bin/vmcap", Symlink{"/init"});  // vmcap by its name, for a person at the console

  for (const char* dir : {"dev", "proc", "sys", "run", "tmp", "etc", "root"}) image.add(dir, Directory{});
  image.add("dev/console", CharDevice{0600, 5, 1});  // the kernel opens it for /init's stdio

  config::Config config = VMCAP_TRY(checked_config(r, report));
  std::string config_text = VMCAP_TRY(read_small_file(r.config_path));
  image.add("etc/vmcap.conf", File{0600, std::move(config_text)});
  for (const auto& f : files_named_by(config)) {
    if (!f.path.empty() && f.path.front() != '/') {
      report.warnings.push_back(f.why + ": " + f.path + " is relative; carried at /" + f.path);
    }
    auto bytes = read_small_file(f.path);
    if (!bytes) {
      if (!r.force)
        return make_error(ErrorKind::Missing, f.path, std::nullopt,
                          f.why + " names it: " + bytes.error().reason + " (--force builds without it)");
      report.warnings.push_back(f.why + ": " + bytes.error().message() + " (left out of the image)");
      continue;
    }
    // The archive path as the kernel will resolve it ("/etc//x/../y" -> "etc/y").
    std::string in_image = std::filesystem::path(f.path).lexically_normal().string();
    if (in_image.empty() || in_image == "/" || in_image.rfind("../", 0) == 0 || in_image == "..")
      return make_error(ErrorKind::Usage, f.path, std::nullopt, f.why + ": not a file path the image can hold");
    image.add(in_image, File{f.secret ? 0600u : 0644u, std::move(*bytes)});
    report.files.push_back(f.path);
  }

  ImageDisks disks = local_disks_for(r, config);
  for (auto& w : disks.warnings) report.warnings.push_back(std::move(w));
  report.local_disks = std::move(disks.found);
  if (!disks.mounts.empty()) image.add(kDiskMountsPath, File{0644, format_disk_mounts(disks.mounts)});
  std::vector<std::string> names = module_names_for(r, config);
  for (auto& m : disks.module_names)
    if (std::find(names.begin(), names.end(), m) == names.end()) names.push_back(std::move(m));
  VMCAP_CHECK(add_modules(r, names, image, report));

  std::string cpio = VMCAP_TRY(image.cpio());
  report.cpio_bytes = cpio.size();
  if (r.compress) cpio = VMCAP_TRY(zstd_compressed(cpio, r.zstd_level));
  report.image_bytes = cpio.size();
  VMCAP_CHECK(write_private_file(r.output, cpio));
  return report;
}

}  // namespace vmcap::initramfs
