// What `vmcap arm` loaded, kept in /run/vmcap/armed.json for this boot (docs/arming.md): the
// kernel and image (paths and sha256), the command line, how it was loaded, when, and the
// image's key with its parts. `vmcap status` compares it with what arm would load now;
// a failed re-arm loads it again (the kernel frees the old image before loading a new one).
#pragma once

#include <string>

#include "arm/load/image_key.h"
#include "elf/result.h"

namespace vmcap::arm {

struct ArmRecord {
  std::string kernel;
  std::string initrd;
  std::string initrd_sha256;
  std::string cmdline;
  std::string method;     // "kexec_file_load" or "kexec -p"
  std::string loaded_at;  // UTC, ISO 8601
  std::string vmcap_version;
  ImageKey image;         // key and parts ("" key: an --initrd given by hand)
};

std::string render_arm_record(const ArmRecord& r);

// The record in `text` (from `file`, for messages). A file written by an older or crashed
// vmcap may be anything: every field is checked and sizes are bounded.
Result<ArmRecord> parse_arm_record(const std::string& text, const std::string& file);

// Reads `path` (at most 1 MiB); a missing file is ErrorKind::Missing.
Result<ArmRecord> read_arm_record(const std::string& path);

// Written to PATH.tmp, then renamed over PATH (its directory made, mode 0755).
Result<void> write_arm_record(const std::string& path, const ArmRecord& r);

}  // namespace vmcap::arm
