// The crash groups of `vmcap report` (docs/report.md): index entries folded, as they are
// scanned, into one group per crash signature. Memory is bounded by the number of groups,
// never by the number of entries: each group keeps counts, first and last time, and at
// most kListed hosts, kernels and captures by name (the rest only counted).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "index/index_entry.h"

namespace vmcap::report {

// Names listed per group: hosts, kernels, captures holding a core, latest captures.
inline constexpr size_t kListed = 16;

// A name met in a group and how many of its entries carry it.
struct NamedCount {
  std::string name;
  uint64_t count = 0;
};

// At most kListed names: the first ones met, each with its count; entries with a name not
// listed are counted in `others`.
struct BoundedCounts {
  std::vector<NamedCount> listed;
  uint64_t others = 0;
  void add(const std::string& name);
  // The listed names, most counted first.
  std::vector<NamedCount> by_count() const;
};

// One capture as a group lists it.
struct CaptureRef {
  std::string directory;
  std::string host;
  int64_t time = 0;  // crash time, else the time in the directory's name
  std::string kernel_release;
  std::string destination;
  bool core_kept = false;
  std::string core_name;
  uint64_t core_size = 0;
  std::string core_note;
};

struct CrashGroup {
  std::string signature;  // the hash, or "unknown"
  std::string reason, symbol;
  std::vector<std::string> frames;
  uint64_t count = 0;
  int64_t first_seen = 0, last_seen = 0;
  BoundedCounts hosts, kernels;
  uint64_t cores_kept = 0;
  std::vector<CaptureRef> core_captures;    // the first kListed with a core kept, oldest first
  std::vector<CaptureRef> latest_captures;  // the kListed latest, newest first
  // The log tail of the latest capture that has one in its entry; else (fetch_log_tails)
  // the end of the latest capture's dmesg.txt.
  std::string log_tail_source;  // "index", "dmesg.txt", or "" (none)
  std::string log_tail_directory;
  int64_t log_tail_time = 0;
  std::vector<std::string> log_tail;
};

// An entry's time: its crash time, else the time in its directory's name (0 if neither).
int64_t entry_time(const index::IndexEntry& entry);

class CrashGroups {
 public:
  // `since`: entries older than this (seconds since the epoch) are counted, not grouped.
  explicit CrashGroups(int64_t since = INT64_MIN) : since_(since) {}
  void add(const index::IndexEntry& entry);
  // Most entries first, then the latest seen.
  std::vector<const CrashGroup*> sorted() const;
  uint64_t grouped() const { return grouped_; }
  uint64_t before_since() const { return before_since_; }
  size_t size() const { return groups_.size(); }
  // The groups without a log tail from their entries (to fetch one from a capture).
  std::vector<CrashGroup*> without_log_tail();

 private:
  int64_t since_;
  uint64_t grouped_ = 0, before_since_ = 0;
  std::map<std::string, CrashGroup> groups_;
};

}  // namespace vmcap::report
