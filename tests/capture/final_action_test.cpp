// The final action (reboot by default) runs only in a kdump capture kernel: the input must
// be /proc/vmcore and it must exist. Everything else is a saved dump on someone's machine.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "capture/run/final_action.h"
#include "tests/support/temp_dir.h"
#include "tests/upload/local_servers.h"

namespace vmcap::testing {
namespace {

using run::not_a_capture_kernel;

TEST(FinalActionGate, TheCaptureKernelsOwnVmcoreAllowsIt) {
  TempDir d;
  std::string proc = d.file("vmcore");
  write_file(proc, "");
  EXPECT_EQ(not_a_capture_kernel(proc, proc), std::nullopt);
}

TEST(FinalActionGate, ALinkOrRelativePathToItIsTheSameFile) {
  TempDir d;
  std::string proc = d.file("vmcore");
  write_file(proc, "");
  std::filesystem::create_symlink(proc, d.file("link"));
  EXPECT_EQ(not_a_capture_kernel(d.file("link"), proc), std::nullopt);
  EXPECT_EQ(not_a_capture_kernel(d.path() + "/./sub/../vmcore", proc), std::nullopt);
}

TEST(FinalActionGate, ASavedDumpIsNotACaptureKernel) {
  TempDir d;
  std::string proc = d.file("vmcore"), saved = d.file("saved.vmcore");
  write_file(proc, "");
  write_file(saved, "");
  auto why = not_a_capture_kernel(saved, proc);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find(saved + " is not " + proc), std::string::npos) << *why;
}

TEST(FinalActionGate, NoProcVmcoreIsNotACaptureKernel) {
  TempDir d;
  std::string proc = d.file("vmcore");  // never made
  auto why = not_a_capture_kernel(proc, proc);
  ASSERT_TRUE(why);
  EXPECT_NE(why->find("there is no " + proc + ": this is not a kdump capture kernel"), std::string::npos) << *why;
}

}  // namespace
}  // namespace vmcap::testing
