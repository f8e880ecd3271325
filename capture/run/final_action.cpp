#include "capture/run/final_action.h"

#include <sys/reboot.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace vmcap::run {

config::FinalAction decide_final_action(const config::Config& config, bool complete) {
  return complete ? config.final_action : config.failure_action;
}

std::optional<std::string> not_a_capture_kernel(const std::string& input, const std::string& proc_vmcore) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::path real_input = fs::weakly_canonical(input, ec);
  if (ec) return "the input " + input + " cannot be resolved (" + ec.message() + ")";
  const fs::path real_proc = fs::weakly_canonical(proc_vmcore, ec);
  if (ec || real_input != real_proc)
    return "the input " + input + " is not " + proc_vmcore + " (a saved dump, not this machine's crash)";
  if (!fs::exists(proc_vmcore, ec)) return "there is no " + proc_vmcore + ": this is not a kdump capture kernel";
  return std::nullopt;
}

void perform_final_action(config::FinalAction action, const FinalActionMode& mode, Progress& progress) {
  const std::string name = config::to_string(action);
  if (mode.dry_run) {
    progress.line("final action", name + " (dry run: not done)");
    return;
  }
  if (action == config::FinalAction::None) {
    progress.line("final action", "none");
    return;
  }
  if (mode.skip_reason) {
    progress.line("final action", name + " skipped: " + *mode.skip_reason +
                                      ". It runs only in a kdump capture kernel on /proc/vmcore; "
                                      "--force-final-action does it anyway");
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
  if (mode.before_reboot) mode.before_reboot();
  int cmd = action == config::FinalAction::Poweroff ? RB_POWER_OFF
            : action == config::FinalAction::Halt   ? RB_HALT_SYSTEM
                                                    : RB_AUTOBOOT;
  if (reboot(cmd) != 0)
    progress.line("final action", name + " failed: " + std::strerror(errno));
}

}  // namespace vmcap::run
