// vmcap takes the init role only as the kernel's /init: as PID 1 of a container (here a
// new PID namespace) under its own name it is the ordinary command line.
#include <gtest/gtest.h>

#include "tests/initramfs/archive_tools.h"

namespace vmcap {
namespace {

using testing::run_command;
using testing::shell_quoted;

TEST(InitDetection, Pid1OfAContainerIsTheCommandLine) {
  auto probe = run_command("unshare --pid --fork --mount-proc true");
  if (probe.status != 0) GTEST_SKIP() << "no PID namespaces here (needs root): " << probe.output;
  auto r = run_command("unshare --pid --fork --mount-proc " + shell_quoted(VMCAP_BINARY) + " --version");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("vmcap " VMCAP_VERSION), std::string::npos) << r.output;
  EXPECT_EQ(r.output.find("PID 1"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace vmcap
