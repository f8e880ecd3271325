// Text: one block per group, most entries first, for a terminal or a mail.
#include "report/report_formats.h"
#include "report/safe_text.h"
#include "report/since_time.h"

namespace vmcap::report {
namespace {

std::string list(const BoundedCounts& c, const char* others) {
  std::string s;
  for (const NamedCount& n : c.by_count())
    s += (s.empty() ? "" : ", ") + terminal_safe(n.name.empty() ? "(unknown)" : n.name) + " (" + std::to_string(n.count) + ")";
  if (c.others) s += ", and " + std::to_string(c.others) + " crash" + (c.others == 1 ? "" : "es") + " on " + others;
  return s;
}

}  // namespace

std::string render_text(const CrashReport& r) {
  std::string out = "Crash index of " + terminal_safe(r.destination) + " at " + utc_iso(r.generated) + "\n" +
                    summary_line(r) + "\n";
  for (const CrashGroup* g : r.groups.sorted()) {
    out += "\n" + g->signature + "  " + std::to_string(g->count) + (g->count == 1 ? " crash" : " crashes") + ", " +
           utc_iso(g->first_seen) + " .. " + utc_iso(g->last_seen) + "\n";
    out += "  reason:  " + (g->reason.empty() ? std::string("(no crash signature)") : terminal_safe(g->reason)) + "\n";
    if (!g->symbol.empty()) out += "  symbol:  " + terminal_safe(g->symbol) + "\n";
    if (!g->frames.empty()) {
      out += "  frames: ";
      for (size_t i = 0; i < g->frames.size() && i < 5; ++i) out += " " + terminal_safe(g->frames[i]);
      out += "\n";
    }
    out += "  hosts:   " + list(g->hosts, "other hosts") + "\n";
    out += "  kernels: " + list(g->kernels, "other kernels") + "\n";
    out += "  cores:   " + std::to_string(g->cores_kept) + " kept";
    for (size_t i = 0; i < g->core_captures.size(); ++i)
      out += (i ? ", " : ": ") + terminal_safe(g->core_captures[i].directory);
    if (g->cores_kept > g->core_captures.size()) out += ", and " + std::to_string(g->cores_kept - g->core_captures.size()) + " more";
    out += "\n";
  }
  return out;
}

}  // namespace vmcap::report
