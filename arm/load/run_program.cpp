#include "arm/load/run_program.h"

#include <fcntl.h>
#include <sched.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace vmcap::arm {
namespace {

// argv[0] as posix_spawnp would find it on PATH ("" when it is nowhere).
std::string find_on_path(const std::string& name) {
  if (name.find('/') != std::string::npos) return name;
  const char* path = std::getenv("PATH");
  std::string dirs = path ? path : "/usr/sbin:/usr/bin:/sbin:/bin";
  for (size_t at = 0; at <= dirs.size();) {
    size_t end = dirs.find(':', at);
    if (end == std::string::npos) end = dirs.size();
    std::string candidate = (end > at ? dirs.substr(at, end - at) : ".") + "/" + name;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    at = end + 1;
  }
  return "";
}

// The child's side with binds: only system calls between fork and exec.
[[noreturn]] void exec_with_binds(const std::string& program, std::vector<char*>& argv, int out,
                                  const std::vector<BindMount>& binds) {
  ::dup2(out, 1);
  ::dup2(out, 2);
  // Each piece written as it is: no allocation in the child of a fork.
  auto say = [](const char* text) { (void)!::write(2, text, std::strlen(text)); };
  auto die = [&](const char* what, const std::string& path) {
    const char* e = std::strerror(errno);
    say(what);
    say(path.c_str());
    say(": ");
    say(e);
    say("\n");
    ::_exit(127);
  };
  if (::unshare(CLONE_NEWNS) != 0) die("vmcap: cannot make a mount namespace for ", program);
  if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
    die("vmcap: cannot make the mounts private for ", program);
  for (const auto& b : binds) {
    if (::mount(b.source.c_str(), b.target.c_str(), nullptr, MS_BIND, nullptr) != 0) {
      say("vmcap: cannot bind ");
      say(b.source.c_str());
      die(" over ", b.target);
    }
  }
  ::execve(program.c_str(), argv.data(), environ);
  die("vmcap: cannot run ", program);
}

}  // namespace

int run_program(const std::vector<std::string>& argv_in, std::string& output, const std::vector<BindMount>& binds) {
  char path[] = "/tmp/vmcap-run-XXXXXX";
  int out = ::mkstemp(path);
  if (out < 0) return -1;
  ::unlink(path);
  std::vector<std::string> argv_s = argv_in;
  std::vector<char*> argv;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid;
  if (binds.empty()) {
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out, 1);
    posix_spawn_file_actions_adddup2(&fa, out, 2);
    int rc = ::posix_spawnp(&pid, argv[0], &fa, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc != 0) {
      ::close(out);
      errno = rc;
      return -1;
    }
  } else {
    const std::string program = find_on_path(argv_s[0]);
    if (program.empty()) {
      ::close(out);
      errno = ENOENT;
      return -1;
    }
    pid = ::fork();
    if (pid < 0) {
      const int e = errno;
      ::close(out);
      errno = e;
      return -1;
    }
    if (pid == 0) exec_with_binds(program, argv, out, binds);
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
