// What the config suites ask of a parse: did it report a problem on LINE whose message
// holds PART.
#pragma once

#include <string>

#include "capture/config/config_parser.h"

namespace vmcap::config {

inline bool has_problem(const ParsedConfig& p, int line, const std::string& part) {
  for (const auto& pr : p.problems)
    if (pr.line == line && pr.message.find(part) != std::string::npos) return true;
  return false;
}

}  // namespace vmcap::config
