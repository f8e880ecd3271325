#include "arm/load/estimate_inputs.h"

#include <sys/stat.h>
#define ZSTD_STATIC_LINKING_ONLY  // ZSTD_FRAMEHEADERSIZE_MAX
#include <zstd.h>

#include <cerrno>
#include <cstring>
#include <fstream>

#include "arm/machine/machine_ram.h"

namespace vmcap::arm {
namespace {

// The unpacked size a zstd frame header states, when the file is one and states it.
std::optional<uint64_t> zstd_content_size(const std::string& path) {
  char head[ZSTD_FRAMEHEADERSIZE_MAX] = {};
  std::ifstream in(path, std::ios::binary);
  in.read(head, sizeof head);
  unsigned long long n = ZSTD_getFrameContentSize(head, static_cast<size_t>(in.gcount()));
  if (n == ZSTD_CONTENTSIZE_UNKNOWN || n == ZSTD_CONTENTSIZE_ERROR) return std::nullopt;
  return n;
}

}  // namespace

Result<EstimateSources> estimate_inputs(const ArmPlan& plan, const std::string& initrd, const std::string& root) {
  EstimateSources s;
  struct stat st {};
  if (::stat(initrd.c_str(), &st) != 0) return make_error(ErrorKind::Missing, initrd, std::nullopt, std::strerror(errno));
  s.inputs.initramfs_bytes = static_cast<uint64_t>(st.st_size);
  s.inputs.initramfs_unpacked_bytes = zstd_content_size(initrd);
  s.inputs.kernel_init_size = plan.kernel_file.boot_memory_bytes();
  s.inputs.kernel_source = plan.kernel_file.boot_memory_source();
  auto ram = read_machine_ram(root);
  if (ram.has_value()) {
    s.inputs.ram_end_bytes = ram.value->end_bytes;
    s.ram_source = ram.source;
  } else {
    s.ram_source = "unknown (" + ram.unknown + ")";
  }
  return s;
}

}  // namespace vmcap::arm
