#include "initramfs/image_inputs.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "capture/config/config_parser.h"
#include "initramfs/config_files.h"
#include "initramfs/module_tree.h"

namespace vmcap::initramfs {

Result<std::vector<ImageInput>> image_inputs(const ImageRequest& r) {
  std::vector<ImageInput> inputs;
  inputs.push_back({"init", r.vmcap_binary.empty() ? "/proc/self/exe" : r.vmcap_binary, {}});
  inputs.push_back({"config", r.config_path, {}});
  auto loaded = VMCAP_TRY(config::load_config(r.config_path));
  for (const auto& f : files_named_by(loaded.config)) inputs.push_back({"config file", f.path, {}});
  ImageDisks disks = local_disks_for(r, loaded.config);
  if (!disks.mounts.empty()) inputs.push_back({"local disks", "", format_disk_mounts(disks.mounts)});
  std::vector<std::string> names = module_names_for(r, loaded.config);
  for (auto& m : disks.module_names)
    if (std::find(names.begin(), names.end(), m) == names.end()) names.push_back(std::move(m));
  if (names.empty()) return inputs;
  ModuleTree tree = VMCAP_TRY(module_tree_for(r));
  for (const char* index : {"modules.dep", "modules.alias", "modules.builtin", "modules.softdep"}) {
    std::string path = tree.dir + "/" + index;
    if (std::filesystem::exists(path)) inputs.push_back({"module index", path, {}});
  }
  ModulePlan plan = VMCAP_TRY(plan_modules(tree, names));
  for (const auto& m : plan.load_order) inputs.push_back({"module", tree.dir + "/" + m, {}});
  return inputs;
}

}  // namespace vmcap::initramfs
