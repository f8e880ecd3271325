// `vmcap report [--config FILE] [--destination NAME | URL] [--since DATE]
// [--format text|json|html] [-o FILE]` (docs/report.md): a destination's crash index read
// back, grouped by crash signature and printed. Exit status: 0 the whole index was read;
// 1 the listing stopped early (the report says why, and covers what was read); 2 the
// index could not be read at all (no listable destination, the config or the first
// listing refused); 3 the output could not be written; 64 a wrong --since or --destination.
#pragma once

#include <string>

namespace vmcap::report {

struct ReportOptions {
  std::string config_path = "/etc/vmcap.conf";
  std::string destination;  // a config destination's name, or a URL; "" the config's index
  std::string since;        // "" everything
  std::string format = "text";
  std::string output;       // "" stdout
  bool fetch_log_tails = true;  // json, html: a group whose entries have no log tail gets dmesg.txt's
};

int run_report(const ReportOptions& options);

}  // namespace vmcap::report
