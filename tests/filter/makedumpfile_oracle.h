// makedumpfile as an oracle for the page filter and the kdump writer: the host's (bookworm,
// 1.7.2) and the newer ones scripts/makedumpfile-chroot.sh puts in a trixie chroot (1.7.6
// from trixie, 1.7.8 from sid); what one wrote, read back as its two bitmaps.
#pragma once

#include <string>
#include <vector>

#include "capture/pages/pfn_bitmap.h"
#include "elf/kdump/kdump.h"
#include "elf/result.h"

namespace vmcap::testing {

struct Makedumpfile {
  std::string version;  // "1.7.2", "1.7.6", "1.7.8"
  std::string command;  // what runs it, arguments follow
};

// The host's makedumpfile, or an empty command when it is not installed.
Makedumpfile host_makedumpfile();
// One of the chroot's (version "1.7.6" or "1.7.8"); chroot_dir as given to the script's --dir.
Makedumpfile chroot_makedumpfile(const std::string& script, const std::string& chroot_dir,
                                 const std::string& version);
// Whether scripts/makedumpfile-chroot.sh finished making chroot_dir.
bool chroot_is_made(const std::string& chroot_dir);

// Runs `command args`, stdout and stderr to log_path; true on exit status 0.
bool run_makedumpfile(const Makedumpfile& m, const std::string& args, const std::string& log_path);

// A kdump-compressed file's 1st bitmap (the pfns it calls RAM) and 2nd (the pfns written).
struct KdumpBitmaps {
  KdumpInfo info;
  PfnBitmap ram, dumped;
};
Result<KdumpBitmaps> read_kdump_bitmaps(const std::string& path);

// The pfns set in `a` and not in `b`, ascending: where two files' bitmaps differ.
std::vector<uint64_t> pfns_only_in(const PfnBitmap& a, const PfnBitmap& b);

}  // namespace vmcap::testing
