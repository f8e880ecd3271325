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

// Indented by `spaces` after each newline: a group dumped alone, placed in the document.
std::string indented(const std::string& text, size_t spaces) {
  std::string out(spaces, ' ');
  for (char c : text) {
    out += c;
    if (c == '\n') out.append(spaces, ' ');
  }
  return out;
}

json group_json(const CrashGroup& g) {
  return {{"signature", g.signature},
          {"reason", g.reason},
          {"symbol", g.symbol},
          {"frames", g.frames},
          {"count", g.count},
          {"first_seen", time_of(g.first_seen)},
          {"last_seen", time_of(g.last_seen)},
          {"hosts", counts(g.hosts)},
          {"kernels", counts(g.kernels)},
          {"cores_kept", g.cores_kept},
          {"core_captures", captures(g.core_captures)},
          {"latest_captures", captures(g.latest_captures)},
          {"log_tail", {{"source", g.log_tail_source}, {"directory", g.log_tail_directory}, {"lines", g.log_tail}}}};
}

}  // namespace

// The summary first, then the groups dumped one at a time: a tree of every group's values
// at once took several times the text's memory (1000 groups: 120 MB peak).
std::string render_json(const CrashReport& r) {
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
                {"stopped", r.stopped}}}};
  std::string out = doc.dump(2, ' ', false, json::error_handler_t::replace);
  out.resize(out.size() - 2);  // "\n}"
  out += ",\n  \"groups\": [";
  bool first = true;
  for (const CrashGroup* g : r.groups.sorted()) {
    out += first ? "\n" : ",\n";
    first = false;
    out += indented(group_json(*g).dump(2, ' ', false, json::error_handler_t::replace), 4);
  }
  out += first ? "]\n}\n" : "\n  ]\n}\n";
  return out;
}

}  // namespace vmcap::report
