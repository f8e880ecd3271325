// JSON, schema vmcap-report/1 (docs/report.md).
#include <nlohmann/json.hpp>

#include "report/report_formats.h"
#include "report/since_time.h"

namespace vmcap::report {
namespace {

using nlohmann::json;

json counts(const BoundedCounts& c) {
  json listed = json::array();
  for (const NamedCount& n : c.listed) listed.push_back({{"name", n.name}, {"count", n.count}});
  return {{"listed", listed}, {"others", c.others}};
}

json time_of(int64_t t) { return {{"unix", t}, {"utc", utc_iso(t)}}; }

json captures(const std::vector<CaptureRef>& refs) {
  json out = json::array();
  for (const CaptureRef& c : refs)
    out.push_back({{"directory", c.directory},
                   {"host", c.host},
                   {"time", time_of(c.time)},
                   {"kernel_release", c.kernel_release},
                   {"destination", c.destination},
                   {"core", {{"kept", c.core_kept}, {"name", c.core_name}, {"size", c.core_size}, {"note", c.core_note}}}});
  return out;
}

}  // namespace

std::string render_json(const CrashReport& r) {
  json groups = json::array();
  for (const CrashGroup* g : r.groups.sorted()) {
    groups.push_back({{"signature", g->signature},
                      {"reason", g->reason},
                      {"symbol", g->symbol},
                      {"frames", g->frames},
                      {"count", g->count},
                      {"first_seen", time_of(g->first_seen)},
                      {"last_seen", time_of(g->last_seen)},
                      {"hosts", counts(g->hosts)},
                      {"kernels", counts(g->kernels)},
                      {"cores_kept", g->cores_kept},
                      {"core_captures", captures(g->core_captures)},
                      {"latest_captures", captures(g->latest_captures)},
                      {"log_tail", {{"source", g->log_tail_source}, {"directory", g->log_tail_directory}, {"lines", g->log_tail}}}});
  }
  json doc = {{"schema", kReportSchema},
              {"destination", r.destination},
              {"generated", time_of(r.generated)},
              {"since", r.since ? time_of(*r.since) : json(nullptr)},
              {"summary",
               {{"line", summary_line(r)},
                {"entries", r.groups.grouped()},
                {"groups", r.groups.size()},
                {"before_since", r.groups.before_since()},
                {"keys", r.counts.keys},
                {"not_ours", r.counts.not_ours},
                {"bad", r.counts.bad},
                {"unreadable", r.counts.unreadable},
                {"complete", r.complete()},
                {"stopped", r.stopped}}},
              {"groups", groups}};
  return doc.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace vmcap::report
