#include "capture/run/final_action.h"

#include <sys/reboot.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace vmcap::run {

config::FinalAction decide_final_action(const config::Config& config, bool complete) {
  return complete ? config.final_action : config.failure_action;
}

void perform_final_action(config::FinalAction action, bool dry_run, Progress& progress) {
  const std::string name = config::to_string(action);
  if (dry_run) {
    progress.line("final action", name + " (dry run: not done)");
    return;
  }
  if (action == config::FinalAction::None) {
    progress.line("final action", "none");
    return;
  }
  progress.line("final action", name);
  sync();
  if (action == config::FinalAction::Shell) {
    if (access("/bin/sh", X_OK) == 0) {
      execl("/bin/sh", "sh", static_cast<char*>(nullptr));
      progress.line("final action", std::string("exec /bin/sh failed: ") + std::strerror(errno));
    } else {
      progress.line("final action", "no /bin/sh here");
    }
    return;
  }
  int cmd = action == config::FinalAction::Poweroff ? RB_POWER_OFF
            : action == config::FinalAction::Halt   ? RB_HALT_SYSTEM
                                                    : RB_AUTOBOOT;
  if (reboot(cmd) != 0)
    progress.line("final action", name + " failed: " + std::strerror(errno));
}

}  // namespace vmcap::run
