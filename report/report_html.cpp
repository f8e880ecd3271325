// HTML: one static, self-contained page (no script, no fetch: its Content-Security-Policy
// allows only its own inline style), a table of groups, each opening (a <details>) its
// frames, its captures and its log tail. Every string from an entry is html_escape'd.
// Ids are made of the signature (16 hex digits or "unknown", never text from an entry):
// the group's rows are "g-SIG", its opening part "c-SIG" inside the <details>; a link to
// #c-SIG (the signature in the row is one) opens the group, as browsers open a closed
// <details> that holds the target of the address's fragment.
#include "report/report_formats.h"
#include "report/safe_text.h"
#include "report/since_time.h"

namespace vmcap::report {
namespace {

constexpr const char* kStyle = R"(
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#1b1b1b;background:#fff}
h1{font-size:1.4em;margin:0 0 .2em}
.summary{color:#444;margin:0 0 1em}
.incomplete{color:#a40000;font-weight:600}
table{border-collapse:collapse;width:100%}
table.groups{table-layout:fixed}
th,td{text-align:left;vertical-align:top;padding:.35em .6em;border-bottom:1px solid #ddd;overflow-wrap:break-word}
th.w-sig{width:10.5em}th.w-n{width:4.5em}th.w-t{width:11.5em}th.w-r{width:24%}
thead th{background:#f0f2f5}
td.time{white-space:nowrap;font-variant-numeric:tabular-nums}
.frames{font-size:.85em;color:#555}
td.count{text-align:right;font-weight:600;font-variant-numeric:tabular-nums}
code,pre,.sig{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.92em}
tr.detail td{border-bottom:2px solid #bbb;padding-top:0}
details>summary{cursor:pointer;color:#0b57d0}
details[open]>summary{margin-bottom:.4em}
pre.log{background:#f6f8fa;border:1px solid #ddd;padding:.5em;overflow-x:auto;max-height:24em;white-space:pre}
table.captures th,table.captures td{border-bottom:1px solid #eee;font-size:.95em}
table.captures td:nth-child(3){white-space:nowrap}
.muted{color:#666}
.content{scroll-margin-top:22em}
)";

std::string e(std::string_view s) { return html_escape(s); }

// The `limit` most counted names (all listed: 0), then how many crashes were elsewhere.
std::string names(const BoundedCounts& c, const char* others, size_t limit = 0) {
  std::string s;
  uint64_t rest = c.others;
  size_t shown = 0;
  for (const NamedCount& n : c.by_count()) {
    if (limit && shown == limit) {
      rest += n.count;
      continue;
    }
    ++shown;
    s += (s.empty() ? "" : ", ") + e(n.name.empty() ? "(unknown)" : n.name) + " <span class=\"muted\">(" +
         std::to_string(n.count) + ")</span>";
  }
  if (rest) s += "<span class=\"muted\">, and " + std::to_string(rest) + " crash" + (rest == 1 ? "" : "es") + " on " + others + "</span>";
  return s;
}

std::string captures_table(const std::vector<CaptureRef>& refs) {
  std::string s =
      "<table class=\"captures\"><thead><tr><th>Capture</th><th>Host</th><th>Time (UTC)</th><th>Kernel</th>"
      "<th>Destination</th><th>Core</th></tr></thead><tbody>\n";
  for (const CaptureRef& c : refs) {
    s += "<tr><td><code>" + e(c.directory) + "</code></td><td>" + e(c.host) + "</td><td>" + utc_iso(c.time) +
         "</td><td>" + e(c.kernel_release) + "</td><td>" + e(c.destination) + "</td><td>" +
         (c.core_kept ? "<code>" + e(c.core_name) + "</code> " + std::to_string(c.core_size) + " bytes"
                      : "<span class=\"muted\">" + e(c.core_note.empty() ? "none" : c.core_note) + "</span>") +
         "</td></tr>\n";
  }
  return s + "</tbody></table>\n";
}

// The first frames of the call trace, under the reason.
std::string top_frames(const CrashGroup& g) {
  std::string s;
  for (size_t i = 0; i < g.frames.size() && i < 3; ++i) s += (i ? " &larr; " : "") + e(g.frames[i]);
  return s.empty() ? s : "<div class=\"frames\">" + s + "</div>";
}

std::string group_rows(const CrashGroup& g) {
  const std::string id = "g-" + g.signature;  // hex or "unknown": checked by CrashGroups
  std::string s = "<tbody class=\"group\" id=\"" + id + "\">\n<tr class=\"row\"><td class=\"sig\"><a href=\"#c-" +
                  g.signature + "\">" + e(g.signature) + "</a></td><td class=\"reason\">" +
                  (g.reason.empty() ? std::string("<span class=\"muted\">(no crash signature)</span>") : e(g.reason)) +
                  (g.symbol.empty() ? "" : "<br><code>" + e(g.symbol) + "</code>") + top_frames(g) + "</td><td class=\"count\">" +
                  std::to_string(g.count) + "</td><td class=\"time\">" + utc_iso(g.first_seen) +
                  "</td><td class=\"time\">" + utc_iso(g.last_seen) +
                  "</td><td class=\"hosts\">" + names(g.hosts, "other hosts", 4) + "</td><td class=\"kernels\">" + names(g.kernels, "other kernels", 4) +
                  "</td><td class=\"count cores\">" + std::to_string(g.cores_kept) + "</td></tr>\n";
  s += "<tr class=\"detail\"><td colspan=\"8\"><details id=\"d-" + g.signature + "\"><summary>frames, captures and log tail</summary>\n"
       "<div class=\"content\" id=\"c-" + g.signature + "\">\n";
  if (!g.frames.empty()) {
    s += "<p>Frames: ";
    for (size_t i = 0; i < g.frames.size(); ++i) s += (i ? " &larr; " : "") + ("<code>" + e(g.frames[i]) + "</code>");
    s += "</p>\n";
  }
  s += "<p>Hosts: " + names(g.hosts, "hosts not listed") + "</p>\n<p>Kernels: " + names(g.kernels, "kernels not listed") +
       "</p>\n";
  s += "<p>Captures holding a core (" + std::to_string(g.cores_kept) + ", the oldest " +
       std::to_string(g.core_captures.size()) + " listed):</p>\n" + captures_table(g.core_captures);
  s += "<p>Latest captures (" + std::to_string(g.latest_captures.size()) + " of " + std::to_string(g.count) + "):</p>\n" +
       captures_table(g.latest_captures);
  if (g.log_tail.empty()) {
    s += "<p class=\"muted\">No log tail: the entries have none and none was fetched.</p>\n";
  } else {
    s += "<p>Log tail of <code>" + e(g.log_tail_directory) + "</code> (from " + e(g.log_tail_source) + "):</p>\n<pre class=\"log\">";
    for (const std::string& line : g.log_tail) s += e(line) + "\n";
    s += "</pre>\n";
  }
  return s + "</div></details></td></tr>\n</tbody>\n";
}

}  // namespace

std::string render_html(const CrashReport& r) {
  std::string s =
      "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\n"
      "<meta name=\"generator\" content=\"vmcap report (" + std::string(kReportSchema) + ")\">\n"
      "<title>vmcap report: " + e(r.destination) + "</title>\n<style>" + kStyle + "</style></head><body>\n"
      "<h1>Crashes in " + e(r.destination) + "</h1>\n<p class=\"summary" + (r.complete() ? "" : " incomplete") + "\" id=\"summary\">" +
      e(summary_line(r)) + " &middot; generated " + utc_iso(r.generated) + "</p>\n"
      "<table class=\"groups\"><thead><tr><th class=\"w-sig\">Signature</th><th class=\"w-r\">Reason</th>"
      "<th class=\"w-n\">Count</th><th class=\"w-t\">First seen (UTC)</th><th class=\"w-t\">Last seen (UTC)</th>"
      "<th>Hosts</th><th>Kernels</th><th class=\"w-n\">Cores</th></tr></thead>\n";
  for (const CrashGroup* g : r.groups.sorted()) s += group_rows(*g);
  return s + "</table>\n</body></html>\n";
}

}  // namespace vmcap::report
