// A destination's crash index read back and grouped (docs/report.md): what every output
// format of `vmcap report` prints. Reading never stops over one entry: keys that are not
// ours, entries that are garbage, truncated, too large or unreadable are skipped and
// counted; a listing that fails is tried once more from where it was, a listing that
// repeats its position or runs past kMaxReportKeys is stopped, and the report says so.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "capture/upload/destination_reader.h"
#include "index/index_scan.h"
#include "report/crash_groups.h"

namespace vmcap::report {

// Ten million keys (about 25 GiB of entries): past that a listing is taken as one that
// never ends.
inline constexpr size_t kMaxReportKeys = 10'000'000;

struct CrashReport {
  std::string destination;      // the reader's describe()
  int64_t generated = 0;        // seconds since the epoch
  std::optional<int64_t> since;
  CrashGroups groups;
  index::ScanCounts counts;
  std::string stopped;          // why the listing stopped before its end ("" when it did not)
  bool complete() const { return stopped.empty(); }
  explicit CrashReport(std::optional<int64_t> since_time)
      : since(since_time), groups(since_time.value_or(INT64_MIN)) {}
};

struct ReadOptions {
  std::optional<int64_t> since;
  size_t max_keys = kMaxReportKeys;
  // Each page (a listing and its entries' reads) within this.
  std::chrono::milliseconds page_time = std::chrono::seconds(120);
};

CrashReport read_crash_report(upload::DestinationReader& reader, const ReadOptions& options);

}  // namespace vmcap::report
