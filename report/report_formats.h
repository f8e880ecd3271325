// The three outputs of `vmcap report` (docs/report.md): text for a terminal, JSON of schema
// vmcap-report/1 for programs, one static self-contained HTML page for a browser. Every
// string from an entry goes through safe_text.h first.
#pragma once

#include <string>

#include "report/crash_report.h"

namespace vmcap::report {

inline constexpr const char* kReportSchema = "vmcap-report/1";

// "1203 entries in 12 groups; skipped: 2 keys not ours, 1 bad entry, 0 unreadable" and why
// the listing stopped, if it did: the line every format carries.
std::string summary_line(const CrashReport& report);

std::string render_text(const CrashReport& report);
std::string render_json(const CrashReport& report);
std::string render_html(const CrashReport& report);

}  // namespace vmcap::report
