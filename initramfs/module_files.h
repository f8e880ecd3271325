// A module's bytes as the capture kernel can load them. Compressed modules (.ko.xz,
// .ko.zst, .ko.gz) go in as they are when the kernel decompresses that kind itself
// (CONFIG_MODULE_DECOMPRESS with the matching CONFIG_MODULE_COMPRESS_*: finit_module with
// MODULE_INIT_COMPRESSED_FILE); otherwise .ko.zst is decompressed here (libzstd is linked
// anyway). .ko.xz and .ko.gz on such a kernel are refused: no Debian kernel ships them
// without in-kernel decompression, so vmcap does not link liblzma for it.
#pragma once

#include <optional>
#include <string>

#include "elf/result.h"
#include "initramfs/module_tree.h"

namespace vmcap::initramfs {

// What the kernel's config says about module decompression; nullopt fields: unknown.
struct KernelModuleSupport {
  std::string config_file;  // where it was read, empty when not found
  bool decompress = false;  // CONFIG_MODULE_DECOMPRESS
  bool xz = false, zstd = false, gzip = false;  // CONFIG_MODULE_COMPRESS_{XZ,ZSTD,GZIP}
};

// ROOT/boot/config-KREL (or /boot/config-KREL for the running system's tree). A missing
// config is not an error: the fields stay false and the caller says so.
KernelModuleSupport read_kernel_module_support(const ModuleTree& tree);

struct ModuleFile {
  std::string path;   // relative to ModuleTree::dir, as the image holds it (".ko" if decompressed here)
  std::string bytes;
  bool decompressed_here = false;
};

Result<ModuleFile> prepare_module(const ModuleTree& tree, const std::string& relative_path,
                                  const KernelModuleSupport& support);

}  // namespace vmcap::initramfs
