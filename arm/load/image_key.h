// The key of a cached capture image: SHA-256 over the capture kernel's content, every file
// the image is made of (initramfs/image_inputs.h: the static vmcap, the config and the files
// it names, the local disks it mounts, the module indexes and modules) and the build options. Equal keys, equal images:
// `vmcap arm` then builds nothing, and loads nothing when that image is what is loaded.
#pragma once

#include <string>
#include <vector>

#include "elf/result.h"
#include "initramfs/image_builder.h"

namespace vmcap::arm {

struct KeyPart {
  std::string what;    // "kernel", "init", "config", "module", "options", ...
  std::string path;    // the file ("" for options)
  std::string sha256;  // of its content (of the text, for options)
};

struct ImageKey {
  std::string key;  // 64 hex digits
  std::vector<KeyPart> parts;
  // "kernel /boot/vmlinuz-6.1.0-50-amd64" for each part whose hash differs from `other`'s
  // (or that one of the two lacks): what changed since an image was built.
  std::vector<std::string> changed_since(const ImageKey& other) const;
};

// Files over this are refused (a kernel is ~10 MiB, a module or CA bundle far less).
inline constexpr uint64_t kMaxKeyedFileBytes = 256ull << 20;

// SHA-256 of a file's content, or why it cannot be read.
Result<std::string> file_sha256(const std::string& path);

Result<ImageKey> image_key(const std::string& kernel, const initramfs::ImageRequest& request);

}  // namespace vmcap::arm
