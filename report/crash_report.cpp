#include "report/crash_report.h"

#include <ctime>

namespace vmcap::report {

CrashReport read_crash_report(upload::DestinationReader& reader, const ReadOptions& options) {
  CrashReport report(options.since);
  report.destination = reader.describe();
  report.generated = static_cast<int64_t>(std::time(nullptr));
  index::IndexScan scan(reader);
  bool retried = false;
  while (!scan.done()) {
    if (scan.counts().keys >= options.max_keys) {
      report.stopped = "the listing ran past " + std::to_string(options.max_keys) + " keys: stopped there";
      break;
    }
    auto page = scan.next(upload::kMaxKeysPerPage, upload::Deadline::after(options.page_time));
    if (!page) {
      // The same place once more: one failed request is not the end of the index (a
      // listing that repeats its position fails again, and is stopped then).
      if (!retried) {
        retried = true;
        continue;
      }
      report.stopped = "the listing failed: " + page.error().message();
      break;
    }
    retried = false;
    for (const index::ScannedEntry& s : *page) report.groups.add(s.entry);
  }
  report.counts = scan.counts();
  return report;
}

}  // namespace vmcap::report
