#include "initramfs/module_files.h"

#include <sys/stat.h>
#include <zstd.h>

#include <fstream>
#include <sstream>

namespace vmcap::initramfs {
namespace {

// The largest Debian module (amdgpu) is about 10 MB compressed, 20 MB plain.
constexpr uint64_t kMaxModuleBytes = 256ull << 20;

bool ends_with(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

Result<std::string> read_file(const std::string& path) {
  struct stat st {};
  if (stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    return make_error(ErrorKind::Missing, path, std::nullopt, "module file missing (modules.dep names it)");
  if (static_cast<uint64_t>(st.st_size) > kMaxModuleBytes)
    return make_error(ErrorKind::Limit, path, std::nullopt, "larger than 256 MiB: not a module");
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  if (!in) return make_error(ErrorKind::Io, path, std::nullopt, "cannot read");
  return s.str();
}

Result<std::string> unzstd(const std::string& path, const std::string& packed) {
  ZSTD_DStream* ds = ZSTD_createDStream();
  std::string out;
  ZSTD_inBuffer in{packed.data(), packed.size(), 0};
  size_t last = 1;
  while (in.pos < in.size || last != 0) {
    if (out.size() > kMaxModuleBytes) {
      ZSTD_freeDStream(ds);
      return make_error(ErrorKind::Limit, path, std::nullopt, "decompresses to more than 256 MiB");
    }
    size_t have = out.size();
    out.resize(have + (1 << 20));
    ZSTD_outBuffer o{out.data() + have, 1 << 20, 0};
    size_t before_in = in.pos;
    last = ZSTD_decompressStream(ds, &o, &in);
    out.resize(have + o.pos);
    if (ZSTD_isError(last)) {
      ZSTD_freeDStream(ds);
      return make_error(ErrorKind::Format, path, in.pos, std::string("zstd: ") + ZSTD_getErrorName(last));
    }
    if (in.pos == in.size && o.pos == 0 && in.pos == before_in && last != 0) {
      ZSTD_freeDStream(ds);
      return make_error(ErrorKind::Truncated, path, in.pos, "zstd frame cut short");
    }
  }
  ZSTD_freeDStream(ds);
  return out;
}

}  // namespace

KernelModuleSupport read_kernel_module_support(const ModuleTree& tree) {
  KernelModuleSupport s;
  std::string file = tree.root + "/boot/config-" + tree.release;
  std::ifstream in(file);
  if (!in) return s;
  s.config_file = file;
  int lines = 0;
  for (std::string line; std::getline(in, line) && lines < 100000; ++lines) {
    if (line == "CONFIG_MODULE_DECOMPRESS=y") s.decompress = true;
    if (line == "CONFIG_MODULE_COMPRESS_XZ=y") s.xz = true;
    if (line == "CONFIG_MODULE_COMPRESS_ZSTD=y") s.zstd = true;
    if (line == "CONFIG_MODULE_COMPRESS_GZIP=y") s.gzip = true;
  }
  return s;
}

Result<ModuleFile> prepare_module(const ModuleTree& tree, const std::string& relative_path,
                                  const KernelModuleSupport& support) {
  const std::string full = tree.dir + "/" + relative_path;
  ModuleFile m{relative_path, VMCAP_TRY(read_file(full)), false};
  if (ends_with(relative_path, ".ko")) return m;
  const bool xz = ends_with(relative_path, ".ko.xz"), zst = ends_with(relative_path, ".ko.zst"),
             gz = ends_with(relative_path, ".ko.gz");
  if (!xz && !zst && !gz)
    return make_error(ErrorKind::Format, full, std::nullopt, "not a .ko, .ko.xz, .ko.zst or .ko.gz");
  if (support.decompress && ((xz && support.xz) || (zst && support.zstd) || (gz && support.gzip))) return m;
  if (zst) {
    m.bytes = VMCAP_TRY(unzstd(full, m.bytes));
    m.path = relative_path.substr(0, relative_path.size() - 4);  // ".zst"
    m.decompressed_here = true;
    return m;
  }
  std::string why = support.config_file.empty()
                        ? "no " + tree.root + "/boot/config-" + tree.release + " to tell whether the kernel can"
                        : support.config_file + " has no CONFIG_MODULE_DECOMPRESS for it";
  return make_error(ErrorKind::Usage, full, std::nullopt,
                    "a compressed module the kernel cannot decompress itself (" + why +
                        "); vmcap decompresses only .ko.zst");
}

}  // namespace vmcap::initramfs
