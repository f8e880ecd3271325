// The capture's console on a terminal: `vmcap capture` runs on a real pseudo-terminal
// (forkpty), as on a capture kernel's console, and draws the core's progress as a bar
// redrawn in place (carriage returns, no new line per update) with bytes, MB/s and an
// ETA, while the step lines stay timestamped lines of their own. (Without a terminal the
// same progress comes as lines: capture_s3_test checks those.)
#include <gtest/gtest.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <regex>
#include <string>
#include <vector>

#include "tests/capture/capture_test_support.h"
#include "tests/support/temp_dir.h"
#include "tests/upload/local_servers.h"

namespace vmcap::testing {
namespace {

struct TtyRun {
  int status = -1;
  std::string screen;  // everything written to the terminal, as written
};

TtyRun run_on_terminal(const std::vector<std::string>& args) {
  std::vector<std::string> argv = {VMCAP_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  int master = -1;
  winsize ws{40, 120, 0, 0};
  pid_t pid = ::forkpty(&master, nullptr, nullptr, &ws);
  if (pid < 0) throw std::runtime_error("forkpty failed");
  if (pid == 0) {
    std::vector<char*> c;
    for (auto& a : argv) c.push_back(a.data());
    c.push_back(nullptr);
    ::execv(c[0], c.data());
    ::_exit(127);
  }
  TtyRun out;
  char buf[4096];
  for (;;) {  // ends when the child's side closes (EIO on Linux)
    ssize_t n = ::read(master, buf, sizeof buf);
    if (n > 0) out.screen.append(buf, static_cast<size_t>(n));
    else if (n < 0 && errno == EINTR) continue;
    else break;
  }
  ::close(master);
  int status = 0;
  ::waitpid(pid, &status, 0);
  out.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

TEST(CaptureConsole, CoreProgressIsABarOnATerminal) {
  TempDir d;
  std::string conf = d.file("vmcap.conf");
  write_file(conf, "final_action = none\nfailure_action = none\nfallback_path = none\n[destination disk]\nurl = file://" +
                       d.file("out") + "\n");
  auto r = run_on_terminal({"capture", "--config", conf, "--vmcore", vmcore("6.1").string()});
  ASSERT_EQ(r.status, 0) << r.screen;
  // A bar: "\rvmcap [  1.234s] core [#####.....]  42.0% 3.1 MiB 12.3 MB/s ETA 4 s".
  std::regex bar(R"(\rvmcap \[ *[0-9.]+s\] core \[[#.]{30}\] +[0-9.]+% [0-9.]+ (bytes|KiB|MiB|GiB) [0-9.]+ MB/s ETA [0-9]+ s)");
  EXPECT_TRUE(std::regex_search(r.screen, bar)) << r.screen;
  // Step lines are still whole timestamped lines (the terminal turns \n into \r\n).
  EXPECT_TRUE(std::regex_search(r.screen, std::regex(R"((^|\n)vmcap \[ *[0-9.]+s\] core: sent to disk)"))) << r.screen;
  EXPECT_NE(r.screen.find("decision: final_action = none"), std::string::npos) << r.screen;
  // The per-2-seconds lines of a non-terminal console are not drawn on a terminal.
  EXPECT_EQ(r.screen.find("% of pages, ETA"), std::string::npos) << r.screen;
}

}  // namespace
}  // namespace vmcap::testing
