// The capture's last step (docs/config.md, final_action / failure_action): sync, then
// reboot(2) with RB_AUTOBOOT, RB_POWER_OFF or RB_HALT_SYSTEM; `shell` execs /bin/sh;
// `none` does nothing. A dry run only says what it would have done.
// The action belongs to a kdump capture kernel, whose job ends in it. Run anywhere else (by
// hand on a saved dump, on a workstation) it would reboot the user's own machine, so there
// it is skipped, and said so, unless the user asks for it (--force-final-action).
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "capture/config/config.h"
#include "capture/run/progress.h"

namespace vmcap::run {

inline constexpr const char* kProcVmcore = "/proc/vmcore";

// final_action after a complete capture, failure_action otherwise.
config::FinalAction decide_final_action(const config::Config& config, bool complete);

// Why this run is not a capture kernel's, or nothing when it is: `proc_vmcore` exists and
// `input` is that file (after symlinks and relative paths are resolved).
std::optional<std::string> not_a_capture_kernel(const std::string& input,
                                                const std::string& proc_vmcore = kProcVmcore);

// How the final action is taken: really, only printed (dry run), or skipped for a reason.
struct FinalActionMode {
  bool dry_run = false;
  std::optional<std::string> skip_reason;  // outside a capture kernel, not forced
  std::function<void()> before_reboot;     // after the sync, before reboot(2) (unmounting disks)
};

// Does it (returns only for none, a dry run, a skip, or when the system call fails — said on
// the console). Prints the decision in every case.
void perform_final_action(config::FinalAction action, const FinalActionMode& mode, Progress& progress);

}  // namespace vmcap::run
