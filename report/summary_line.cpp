#include "report/report_formats.h"

#include "report/since_time.h"

namespace vmcap::report {
namespace {

std::string counted(uint64_t n, const std::string& one, const std::string& many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

std::string summary_line(const CrashReport& r) {
  std::string s = counted(r.groups.grouped(), "entry", "entries") + " in " + counted(r.groups.size(), "group", "groups");
  if (r.since) s += " since " + utc_iso(*r.since) + " (" + std::to_string(r.groups.before_since()) + " older)";
  s += "; skipped: " + counted(r.counts.not_ours, "key not ours", "keys not ours") + ", " +
       counted(r.counts.bad, "bad entry", "bad entries") + ", " + std::to_string(r.counts.unreadable) + " unreadable";
  if (!r.complete()) s += "; incomplete: " + r.stopped;
  return s;
}

}  // namespace vmcap::report
