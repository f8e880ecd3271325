// The capture's last step (docs/config.md, final_action / failure_action): sync, then
// reboot(2) with RB_AUTOBOOT, RB_POWER_OFF or RB_HALT_SYSTEM; `shell` execs /bin/sh;
// `none` does nothing. A dry run only says what it would have done.
#pragma once

#include "capture/config/config.h"
#include "capture/run/progress.h"

namespace vmcap::run {

// final_action after a complete capture, failure_action otherwise.
config::FinalAction decide_final_action(const config::Config& config, bool complete);

// Does it (returns only for none, a dry run, or when the system call fails — said on the
// console). Prints the decision in every case.
void perform_final_action(config::FinalAction action, bool dry_run, Progress& progress);

}  // namespace vmcap::run
