// Runs the vmcap binary under test (path compiled in as VMCAP_BINARY) and captures
// its standard output, standard error and exit status.
#pragma once

#include <string>
#include <vector>

namespace vmcap::testing {

struct RunResult {
  int status = -1;  // exit status, or -1 when killed by a signal
  int signal = 0;   // the signal that killed it, 0 when it exited
  std::string out;
  std::string err;
};

RunResult run_vmcap(const std::vector<std::string>& args);

// Any program (argv[0] looked up on PATH), its output captured the same way.
RunResult run_command(const std::vector<std::string>& argv);

}  // namespace vmcap::testing
