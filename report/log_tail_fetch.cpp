#include "report/log_tail_fetch.h"

#include "capture/upload/deadline.h"
#include "index/index_entry.h"

namespace vmcap::report {

size_t fetch_log_tails(upload::DestinationReader& reader, CrashGroups& groups) {
  size_t fetched = 0, tried = 0;
  for (CrashGroup* g : groups.without_log_tail()) {
    if (tried++ >= kMaxFetches) break;
    if (g->latest_captures.empty()) continue;
    const CaptureRef& latest = g->latest_captures.front();
    // The directory was checked as a capture directory's name under its key: no '/', no "..".
    auto text = reader.get(latest.directory + "/dmesg.txt", kMaxFetchedLog, upload::Deadline::after(std::chrono::seconds(10)));
    if (!text) continue;
    auto tail = index::log_tail_of(*text);
    if (tail.empty()) continue;
    g->log_tail = std::move(tail);
    g->log_tail_directory = latest.directory;
    g->log_tail_time = latest.time;
    g->log_tail_source = "dmesg.txt";
    ++fetched;
  }
  return fetched;
}

}  // namespace vmcap::report
