// Runs the vmcap binary under test (path compiled in as VMCAP_BINARY) and captures
// its standard output, standard error and exit status.
#pragma once

#include <string>
#include <vector>

namespace vmcap::testing {

struct RunResult {
  int status = -1;  // exit status, or -1 when killed by a signal
  std::string out;
  std::string err;
};

RunResult run_vmcap(const std::vector<std::string>& args);

}  // namespace vmcap::testing
