// `vmcap pstore`: at boot, the crashes the kernel's kmsg dumpers kept in pstore, each
// uploaded as a capture to the destinations of /etc/vmcap.conf (tried in order until one
// takes the whole capture: manifest marked incomplete, the artifacts, the manifest
// complete), then its records deleted: EFI and ERST storage holds a few dozen KiB, and
// records left behind can keep the next crash from being recorded. A record is deleted only
// when every artifact of its capture is on one destination; with --keep none is, and what
// was sent is remembered (sent_records.h) so that nothing is sent twice.
#pragma once

#include <string>

#include "capture/run/progress.h"

namespace vmcap::pstore {

struct PstoreOptions {
  std::string config_path = "/etc/vmcap.conf";
  // The kernel's place is mounted when it is not; any other folder (records copied from a
  // machine, the tests' folders) is read as it is.
  std::string dir = "/sys/fs/pstore";
  std::string state_path = "/var/lib/vmcap/pstore-sent.json";
  bool dry_run = false;  // read, assemble and say what would be sent; send and delete nothing
  bool keep = false;     // delete nothing; remember what was sent
  size_t max_record_bytes = 64u << 20;  // a record larger is read in part (pstore_files.h)
};

// Exit statuses: every dump saved (or none there); some dump not saved (its records kept
// for the next run); nothing could be read (no pstore, not mountable).
inline constexpr int kPstoreOk = 0;
inline constexpr int kPstoreNotAllSaved = 1;
inline constexpr int kPstoreUnreadable = 2;

int run_pstore(const PstoreOptions& options, run::Progress& progress);

}  // namespace vmcap::pstore
