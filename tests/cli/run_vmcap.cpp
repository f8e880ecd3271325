#include "tests/cli/run_vmcap.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "tests/support/real_vmcores.h"
#include "tests/support/temp_dir.h"

extern char** environ;

namespace vmcap::testing {
namespace {
std::string slurp(const std::string& path) { return read_whole_file(path); }

// Under ASan/UBSan a sanitizer report must not pass for exit status 1 ("partial") or 2:
// every vmcap a test runs reports with status 86.
const bool kSanitizerExitCodes = [] {
  for (const char* var : {"ASAN_OPTIONS", "UBSAN_OPTIONS"}) {
    const char* old = std::getenv(var);
    std::string v = old ? std::string(old) + ":" : std::string();
    setenv(var, (v + "exitcode=86").c_str(), 1);
  }
  return true;
}();
}  // namespace

RunResult run_vmcap(const std::vector<std::string>& args) {
  std::vector<std::string> argv{VMCAP_BINARY};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv);
}

RunResult run_command(const std::vector<std::string>& argv_in) {
  TempDir dir;
  std::string out = dir.file("out"), err = dir.file("err");
  std::vector<std::string> argv_s = argv_in;
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&fa, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  pid_t pid;
  RunResult r;
  if (posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ) != 0) {
    r.err = "posix_spawn failed";
    posix_spawn_file_actions_destroy(&fa);
    return r;
  }
  posix_spawn_file_actions_destroy(&fa);
  int ws = 0;
  waitpid(pid, &ws, 0);
  r.status = WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
  r.signal = WIFSIGNALED(ws) ? WTERMSIG(ws) : 0;
  r.out = slurp(out);
  r.err = slurp(err);
  return r;
}

}  // namespace vmcap::testing
