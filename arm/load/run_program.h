// Running a system program (kexec -p, update-grub) from the arming commands, its output kept
// to say what it said when it fails.
#pragma once

#include <string>
#include <vector>

namespace vmcap::arm {

// Runs `argv` (argv[0] looked up on PATH) with stdout and stderr into `output` (at most
// 64 KiB, trailing blank lines dropped): its exit status, or -1 when it could not run or
// did not exit (errno says why when it could not run).
int run_program(const std::vector<std::string>& argv, std::string& output);

}  // namespace vmcap::arm
