// What the command line says when it is given something wrong: the word at fault, what
// was probably meant, and the same rule for --level as the config's compression_level.
// And --help shows each option's default.
#include <gtest/gtest.h>

#include <string>

#include "capture/cli/exit_status.h"
#include "tests/cli/run_vmcap.h"

namespace vmcap::testing {
namespace {

void expect_usage_error(const std::vector<std::string>& args, const std::string& message) {
  auto r = run_vmcap(args);
  EXPECT_EQ(r.status, kExitUsage) << r.err;
  EXPECT_NE(r.err.find(message), std::string::npos) << r.err;
}

TEST(CommandLine, AnUnknownSubcommandIsNamed) {
  expect_usage_error({"dump", "X"}, "vmcap: unknown subcommand 'dump'; the subcommands: info, dmesg, filter");
  expect_usage_error({"fliter", "a", "b"}, "vmcap: unknown subcommand 'fliter' (did you mean 'filter'?)");
  expect_usage_error({}, "vmcap: a subcommand is required: info, dmesg, filter");
}

TEST(CommandLine, AMisspeltOptionIsNamedNotTheNextWord) {
  expect_usage_error({"dmesg", "--fromat", "json", "/proc/vmcore"},
                     "vmcap dmesg: unknown option '--fromat' (did you mean '--format'?)");
  expect_usage_error({"filter", "--dump-levle=1", "a", "b"},
                     "vmcap filter: unknown option '--dump-levle' (did you mean '--dump-level'?)");
  auto r = run_vmcap({"dmesg", "--fromat", "json", "/proc/vmcore"});
  EXPECT_EQ(r.err.find("/proc/vmcore"), std::string::npos) << r.err;  // the dump path is not blamed
  expect_usage_error({"info", "-x", "a"}, "vmcap info: unknown option '-x'");
}

TEST(CommandLine, NegativeNumbersAreValuesNotOptions) {
  expect_usage_error({"filter", "--compress", "zlib", "--level", "-1", "a", "b"},
                     "vmcap filter: --level -1 is out of range 0..9 for zlib");
}

TEST(CommandLine, FilterLevelFollowsTheConfigsRule) {
  expect_usage_error({"filter", "--level", "50", "a", "b"}, "vmcap filter: --level 50 is out of range -7..19 for zstd");
  expect_usage_error({"filter", "--compress", "none", "--level", "3", "a", "b"},
                     "vmcap filter: --level 3 with --compress none: no level applies");
  expect_usage_error({"mkinitramfs", "--compress", "none", "--level", "3", "-o", "x"},
                     "vmcap mkinitramfs: --level with --compress none: no level applies");
}

TEST(CommandLine, HelpShowsTheDefaults) {
  auto filter = run_vmcap({"filter", "--help"});
  EXPECT_EQ(filter.status, 0);
  for (const char* d : {"=31", "=zstd", "=kdump"}) EXPECT_NE(filter.out.find(d), std::string::npos) << d << filter.out;
  auto capture = run_vmcap({"capture", "--help"});
  for (const char* d : {"--config TEXT=/etc/vmcap.conf", "--vmcore TEXT=/proc/vmcore", "--force-final-action"})
    EXPECT_NE(capture.out.find(d), std::string::npos) << d << capture.out;
}

}  // namespace
}  // namespace vmcap::testing
