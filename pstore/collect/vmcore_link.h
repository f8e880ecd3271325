// The vmcore capture of the same crash, when kdump saved one too (pstore = yes: the kmsg
// dumpers ran before the capture kernel): a capture on a local folder (a file:// destination
// or fallback_path) whose manifest has source vmcore, the same crash signature hash, and a
// crash time within kLinkWindow of the pstore dump's. The pstore capture's manifest names
// it (pstore.vmcore_capture), so the fleet counts one crash. Remote destinations cannot be
// listed here (the fleet index of issue 19 will); they are not searched.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace vmcap::pstore {

// The record times come from the panicking kernel's clock, CRASHTIME too; the window covers
// a dump written over several seconds and a clock stepped at boot.
inline constexpr auto kLinkWindow = std::chrono::minutes(10);
inline constexpr size_t kMaxCapturesScanned = 1000;  // manifests read per folder, newest names first
inline constexpr size_t kMaxNamesListed = 1000000;   // directory names listed per folder
inline constexpr size_t kMaxManifestBytes = 1u << 20;

struct LinkFields {
  std::string source;  // "vmcore" when the manifest predates the field
  std::string hash;    // crash.hash
  std::optional<int64_t> crash_time;  // crash_time_unix
};

// From a manifest's text; nullopt when it is not a manifest (any JSON shape may be there).
std::optional<LinkFields> parse_link_fields(const std::string& manifest_text);

// The directory name of the closest matching vmcore capture under any of FOLDERS.
std::optional<std::string> find_vmcore_capture(const std::vector<std::string>& folders, const std::string& hash,
                                               int64_t crash_time);

}  // namespace vmcap::pstore
