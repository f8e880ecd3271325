// One capture's entry in the crash index (docs/index.md), schema "vmcap-index/1": what
// `vmcap report` groups and lists, and what the core dedup lookup counts, without opening
// the capture: when and where, which kernel, the crash signature, whether a core was
// kept, the end of the log. Written by machines that just crashed and read back from
// listings anyone may write to: the parser trusts nothing beyond kMaxEntryBytes and
// refuses what does not have the schema's shape.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "capture/run/manifest.h"
#include "elf/result.h"

namespace vmcap::index {

inline constexpr const char* kIndexEntrySchema = "vmcap-index/1";
// Entries are 1-5 KiB; a reader refuses one larger than this.
inline constexpr size_t kMaxEntryBytes = 64 << 10;
// The end of the log kept in an entry: lines, and bytes in all.
inline constexpr size_t kLogTailLines = 20;
inline constexpr size_t kLogTailBytes = 4096;

struct IndexEntry {
  std::string directory;     // the capture directory, also the entry's name
  std::string destination;   // the destination (config name) that holds the capture
  std::string source;        // "vmcore" or "pstore"
  bool complete = false;     // the manifest's
  std::optional<int64_t> crash_time;  // seconds since the epoch
  std::string started;       // UTC ISO 8601, when vmcap started the capture
  std::string host;
  std::string vmcap_version;
  std::string kernel_release;
  std::string build_id;
  std::string machine;
  // The crash signature ("" hash: none, the entry is under index/unknown).
  std::string hash;
  std::string reason;
  std::string symbol;
  std::vector<std::string> frames;
  // The core: kept (uploaded) or not, and why not.
  bool core_kept = false;
  std::string core_name;    // the artifact ("vmcore.flat")
  uint64_t core_size = 0;
  std::string core_format;
  std::string core_note;    // "" when kept; else why ("skipped: ...", "not saved")
  std::vector<std::string> core_holders;  // skipped: the captures holding this bug's cores
  std::vector<std::string> artifacts;     // names of what the capture holds
  std::string vmcore;       // the path read (vmcore captures)
  std::string pstore_backend;  // pstore captures
  std::vector<std::string> log_tail;  // the last lines of dmesg.txt
};

// The entry of a capture from its final manifest. `destination`: where the capture is;
// `log_text`: dmesg.txt's text (its last lines are kept).
IndexEntry entry_from_manifest(const run::Manifest& manifest, const std::string& destination,
                               std::string_view log_text);

// The last kLogTailLines lines of `text`, kLogTailBytes at most, each line cut at 512 bytes.
std::vector<std::string> log_tail_of(std::string_view text);

// Pretty JSON with a trailing newline (bytes that are not UTF-8 become U+FFFD).
std::string render_index_entry(const IndexEntry& entry);

// An entry read back: Format when it is not JSON of this schema's shape, Limit when larger
// than kMaxEntryBytes.
Result<IndexEntry> parse_index_entry(std::string_view bytes);

}  // namespace vmcap::index
