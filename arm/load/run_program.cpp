#include "arm/load/run_program.h"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>

extern char** environ;

namespace vmcap::arm {

int run_program(const std::vector<std::string>& argv_in, std::string& output) {
  char path[] = "/tmp/vmcap-run-XXXXXX";
  int out = ::mkstemp(path);
  if (out < 0) return -1;
  ::unlink(path);
  std::vector<std::string> argv_s = argv_in;
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_adddup2(&fa, out, 1);
  posix_spawn_file_actions_adddup2(&fa, out, 2);
  pid_t pid;
  int rc = ::posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    ::close(out);
    errno = rc;
    return -1;
  }
  int ws = 0;
  while (::waitpid(pid, &ws, 0) < 0 && errno == EINTR) {
  }
  char buf[4096];
  ::lseek(out, 0, SEEK_SET);
  for (ssize_t n; output.size() < 64 * 1024 && (n = ::read(out, buf, sizeof buf)) > 0;) output.append(buf, n);
  ::close(out);
  while (!output.empty() && (output.back() == '\n' || output.back() == ' ')) output.pop_back();
  return WIFEXITED(ws) ? WEXITSTATUS(ws) : -1;
}

}  // namespace vmcap::arm
