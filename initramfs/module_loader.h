// Loading the image's kernel modules in the order mkinitramfs wrote
// (/lib/modules/KREL/vmcap-modules.order) with finit_module(2); compressed ones with
// MODULE_INIT_COMPRESSED_FILE, which kernels with CONFIG_MODULE_DECOMPRESS accept.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace vmcap::initramfs {

struct ModuleLoadSummary {
  int loaded = 0;
  int already = 0;  // EEXIST: loaded before (or built in under the same name)
  int failed = 0;
};

// Reads ROOT/lib/modules/RELEASE/vmcap-modules.order and loads each module, saying each
// failure through `say` and going on with the next. No order file: nothing to load (said
// when the image holds modules for another release).
ModuleLoadSummary load_image_modules(const std::string& release, const std::function<void(std::string_view)>& say,
                                     const std::string& root = "");

}  // namespace vmcap::initramfs
