// Running a system program (kexec -p, update-grub) from the arming commands, its output kept
// to say what it said when it fails.
#pragma once

#include <string>
#include <vector>

namespace vmcap::arm {

// A file bound over another for the program alone (kexec-tools reading a /proc/kallsyms
// of vmcap's: kallsyms_text.h).
struct BindMount {
  std::string source;
  std::string target;
};

// Runs `argv` (argv[0] looked up on PATH) with stdout and stderr into `output` (at most
// 64 KiB, trailing blank lines dropped): its exit status, or -1 when it could not run or
// did not exit (errno says why when it could not run). With `binds`, the program runs in a
// mount namespace of its own (the system's mounts are untouched) where each source is
// bind-mounted over its target; a bind that fails is exit status 127 and said in `output`.
int run_program(const std::vector<std::string>& argv, std::string& output, const std::vector<BindMount>& binds = {});

}  // namespace vmcap::arm
