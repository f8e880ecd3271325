// `vmcap check-config [FILE]`: every problem of a config file with its line number, then
// the destinations that would be used. For the CLI to call.
#pragma once

#include <ostream>
#include <string>

namespace vmcap::config {

inline constexpr const char* kDefaultConfigPath = "/etc/vmcap.conf";

// 0 when the file is valid, 2 (kExitBadInput) when it has problems or cannot be read.
// Secrets are never printed.
int run_check_config(const std::string& path, std::ostream& out);

}  // namespace vmcap::config
