#include "report/report_command.h"

#include <cstdio>
#include <ctime>
#include <fstream>
#include <iostream>
#include <optional>

#include "capture/config/config_parser.h"
#include "capture/upload/destination_reader.h"
#include "capture/upload/uploader.h"
#include "report/crash_report.h"
#include "report/log_tail_fetch.h"
#include "report/report_formats.h"
#include "report/since_time.h"

namespace vmcap::report {
namespace {

constexpr int kOk = 0, kIncomplete = 1, kUnreadable = 2, kOutputFailed = 3, kUsage = 64;

void say(const std::string& s) { std::fprintf(stderr, "vmcap report: %s\n", s.c_str()); }

// The config's destination by name, or one made from a URL (file:// needs nothing more;
// sftp and s3 URLs take the same keys as a config section would, so name them in the
// config instead); nothing named: the config's index_destination, else its first
// destination that can be listed.
std::optional<config::Destination> choose_destination(const ReportOptions& o, const config::Config& c,
                                                      const std::string& config_note) {
  if (o.destination.find("://") != std::string::npos) {
    auto parsed = config::parse_config("[destination url]\nurl = " + o.destination + "\n", "--destination");
    if (!parsed.ok() || parsed.config.destinations.empty()) {
      for (const auto& p : parsed.problems) say(config::format_problem("--destination", p));
      return std::nullopt;
    }
    return parsed.config.destinations.front();
  }
  if (!o.destination.empty()) {
    for (const auto& d : c.destinations)
      if (d.name == o.destination) return d;
    if (c.index_destination && c.index_destination->name == o.destination) return c.index_destination;
    say("no destination '" + o.destination + "' in " + o.config_path + config_note);
    return std::nullopt;
  }
  if (c.index_destination) return c.index_destination;
  for (const auto& d : c.destinations)
    if (upload::can_be_listed(d.kind)) return d;
  say("no destination of " + o.config_path + " can be listed (file, sftp, s3) and it names no index_destination" +
      config_note + "; name one with --destination NAME or URL");
  return std::nullopt;
}

bool write_output(const std::string& path, const std::string& text) {
  if (path.empty() || path == "-") {
    std::cout << text << std::flush;
    return bool(std::cout);
  }
  // Under a temporary name, renamed when whole: a page being read is never half written.
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << text;
    f.flush();
    if (!f) {
      std::perror(("vmcap report: " + tmp).c_str());
      std::remove(tmp.c_str());
      return false;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    std::perror(("vmcap report: " + path).c_str());
    std::remove(tmp.c_str());
    return false;
  }
  return true;
}

}  // namespace

int run_report(const ReportOptions& o) {
  ReadOptions read;
  if (!o.since.empty()) {
    auto since = parse_since(o.since, static_cast<int64_t>(std::time(nullptr)));
    if (!since) {
      say(since.error().message());
      return kUsage;
    }
    read.since = *since;
  }
  // The config: its destinations and credentials. Only a URL needs none.
  config::Config cfg;
  std::string note;
  auto loaded = config::load_config(o.config_path);
  if (loaded) {
    cfg = loaded->config;
    if (!loaded->ok()) note = " (it has problems: vmcap check-config says which; destinations with one are left out)";
  } else if (o.destination.find("://") == std::string::npos) {
    say(loaded.error().message());
    return kUnreadable;
  }
  auto destination = choose_destination(o, cfg, note);
  if (!destination) return o.destination.empty() || o.destination.find("://") == std::string::npos ? kUnreadable : kUsage;
  auto reader = upload::make_reader(*destination, upload::transfer_policy_from(cfg));
  if (!reader) {
    say("destination " + destination->name + " (" + destination->url + ") cannot be listed: http(s) destinations hold no index");
    return kUnreadable;
  }

  CrashReport report = read_crash_report(*reader, read);
  if (!report.complete() && report.counts.keys == 0) {
    say("cannot read the index of " + reader->describe() + ": " + report.stopped);
    return kUnreadable;
  }
  if (o.fetch_log_tails && o.format != "text") fetch_log_tails(*reader, report.groups);

  std::string text = o.format == "json" ? render_json(report) : o.format == "html" ? render_html(report) : render_text(report);
  if (!write_output(o.output, text)) return kOutputFailed;
  if (!o.output.empty() || o.format != "text") say(summary_line(report));
  return report.complete() ? kOk : kIncomplete;
}

}  // namespace vmcap::report
