// What an image `build_initramfs(request)` would make is made of: every file it reads, each
// once, named for what it is. `vmcap arm` hashes their contents into the key of its cached
// image, so a second arm with nothing changed builds nothing (docs/arming.md).
#pragma once

#include <string>
#include <vector>

#include "elf/result.h"
#include "initramfs/image_builder.h"

namespace vmcap::initramfs {

struct ImageInput {
  std::string what;  // "init", "config", "config file", "module index", "module", "local disks"
  std::string path;  // absolute; empty for what is not a file ("local disks")
  std::string text;  // what is hashed when there is no path: /etc/vmcap-mounts as it would be
};

// In a fixed order: init, config, the files the config names, the local disks the image
// would mount (when any: the text of /etc/vmcap-mounts), the module tree's indexes
// (modules.dep, .alias, .builtin, .softdep) and each module the image would carry.
Result<std::vector<ImageInput>> image_inputs(const ImageRequest& request);

}  // namespace vmcap::initramfs
