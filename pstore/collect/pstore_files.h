// /sys/fs/pstore on the running machine: mounted when it is not (systemd mounts it early,
// a minimal system may not), its record files read with bounds (a crashing machine wrote
// them: the file system reports their sizes, nothing more is trusted), and records deleted,
// which erases them from the backend (the EFI variable, the ERST slot, the ramoops zone).
#pragma once

#include <string>
#include <vector>

#include "elf/result.h"
#include "pstore/records/dump_assembly.h"

namespace vmcap::pstore {

inline constexpr const char* kPstoreMountPoint = "/sys/fs/pstore";
inline constexpr size_t kMaxRecordFiles = 4096;        // the backends hold a few dozen
// ramoops zones are KiB to a few MiB, EFI and ERST records about 1-64 KiB; pstore holds them
// in kernel memory already. A larger one is read in part, sent once and kept.
inline constexpr size_t kMaxRecordFileBytes = 64u << 20;

struct PstoreDir {
  std::vector<RecordFile> records;
  std::vector<std::string> problems;  // files skipped or cut, with why
  std::vector<std::string> cut;       // records read only in part: never deleted (not all was sent)
  bool mounted_here = false;          // vmcap mounted pstore on the folder
};

// Mounts pstore on DIR when /proc/self/mounts shows nothing of type pstore there (mount_if_needed).
// Missing folder, not mountable, unreadable: an error naming DIR and what to do.
Result<PstoreDir> read_pstore_dir(const std::string& dir, bool mount_if_needed,
                                 size_t max_record_bytes = kMaxRecordFileBytes);

// unlink(DIR/NAME) for each name; the names that could not be removed, with why.
std::vector<std::string> delete_records(const std::string& dir, const std::vector<std::string>& names);

}  // namespace vmcap::pstore
