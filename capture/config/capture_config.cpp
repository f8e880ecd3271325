#include "capture/config/capture_config.h"

namespace vmcap::config {

CaptureConfig load_config_for_capture(const std::string& path) {
  CaptureConfig out;
  auto loaded = load_config(path);
  if (!loaded) {
    // No file at all: the defaults save the log to fallback_path and reboot.
    out.problems.push_back(loaded.error().message() + " (using the defaults)");
    return out;
  }
  // The parser already leaves bad global values at their defaults and drops every
  // destination with a problem; what remains is safe to run with.
  out.config = std::move(loaded->config);
  for (const Problem& p : loaded->problems) out.problems.push_back(format_problem(path, p));
  return out;
}

}  // namespace vmcap::config
