// The config a capture runs with. A capture never stops over its config: a missing or
// broken file gives the safe defaults (docs/config.md) plus every destination that
// parsed, and the problems to report on the console.
#pragma once

#include <string>
#include <vector>

#include "capture/config/config_parser.h"

namespace vmcap::config {

struct CaptureConfig {
  Config config;
  std::vector<std::string> problems;  // formatted "FILE:LINE: message"
  bool degraded() const { return !problems.empty(); }
};

CaptureConfig load_config_for_capture(const std::string& path);

}  // namespace vmcap::config
