// A shell command run by a real-vmcore suite (an oracle: makedumpfile, libkdumpfile's
// python), its stdout and stderr kept in a log file the failure message can show.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <string>

#include "tests/support/real_vmcores.h"

namespace vmcap::testing {

struct LoggedRun {
  int status = -1;  // the exit status; -1 when it did not exit
  std::string out;  // stdout and stderr
};

inline LoggedRun run_logged(const std::string& cmd, const std::string& log) {
  LoggedRun r;
  const int rc = std::system((cmd + " > " + log + " 2>&1").c_str());
  r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  r.out = read_whole_file(log);
  return r;
}

}  // namespace vmcap::testing
