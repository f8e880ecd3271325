#include "initramfs/pid1.h"

#include <sys/random.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <optional>
#include <string>
#include <thread>

#include "capture/config/capture_config.h"
#include "capture/config/check_config.h"
#include "capture/run/capture_run.h"
#include "capture/run/final_action.h"
#include "capture/run/progress.h"
#include "initramfs/local_disk.h"
#include "initramfs/module_loader.h"
#include "initramfs/network/network_setup.h"
#include "initramfs/system_mounts.h"

namespace vmcap::initramfs {
namespace {

using Clock = std::chrono::steady_clock;

std::string seconds_since(Clock::time_point since) {
  char s[32];
  std::snprintf(s, sizeof s, "%.2f s", std::chrono::duration<double>(Clock::now() - since).count());
  return s;
}

[[noreturn]] void idle_forever() {
  for (;;) {
    // Reap whatever is left; without children, just sleep.
    if (waitpid(-1, nullptr, 0) < 0) pause();
  }
}

// The local disks of /etc/vmcap-mounts, once mounted: PID 1 and the capture child (a copy)
// unmount them before a reboot, poweroff or halt.
LocalDisks g_disks;

// Their lines on the console under the step "disk".
Say disk_lines(run::Progress& progress) {
  return [&progress](std::string_view text) {
    if (text.substr(0, 6) == "disk: ") text.remove_prefix(6);
    progress.line("disk", std::string(text));
  };
}

void unmount_disks(run::Progress& progress) { g_disks.unmount_all(disk_lines(progress)); }

// PID 1's own last step. Reboot, poweroff and halt are reboot(2); `shell` has no shell in
// this image, so it reboots; `none` leaves the machine as it is, with PID 1 idle.
[[noreturn]] void finish(config::FinalAction action, run::Progress& progress) {
  using config::FinalAction;
  if (action == FinalAction::Shell) {
    progress.line("init", "final action shell: this image has no shell; rebooting instead");
    action = FinalAction::Reboot;
  }
  if (action == FinalAction::None) {
    progress.line("init", "final action none: the machine stays as it is (PID 1 idles; it cannot exit)");
    std::fflush(nullptr);
    idle_forever();
  }
  progress.line("init", std::string(config::to_string(action)) + " now");
  std::fflush(nullptr);
  sync();
  unmount_disks(progress);  // nothing when the capture child did it before its own reboot
  std::fflush(nullptr);
  int cmd = action == FinalAction::Poweroff ? RB_POWER_OFF : action == FinalAction::Halt ? RB_HALT_SYSTEM : RB_AUTOBOOT;
  reboot(cmd);
  progress.line("init", std::string("reboot(2) failed: ") + std::strerror(errno) + "; idling");
  std::fflush(nullptr);
  idle_forever();
}

struct InitState {
  config::Config config;  // defaults when the file is broken: failure_action reboot
  bool have_config = false;
};

void load_config(InitState& s, run::Progress& progress) {
  auto loaded = config::load_config_for_capture(config::kDefaultConfigPath);
  s.config = std::move(loaded.config);
  s.have_config = true;
  for (const auto& p : loaded.problems) progress.line("init", "config: " + p);
}

void load_modules(run::Progress& progress) {
  auto start = Clock::now();
  struct utsname u {};
  uname(&u);
  auto summary = load_image_modules(u.release, [&](std::string_view text) {
    progress.line("modules", std::string(text));
  });
  progress.line("modules", std::to_string(summary.loaded) + " loaded, " + std::to_string(summary.already) +
                               " already there, " + std::to_string(summary.failed) + " failed, in " +
                               seconds_since(start) + " (kernel " + u.release + ")");
}

void bring_up_section(const config::Network& section, run::Progress& progress) {
  auto start = Clock::now();
  auto lease = network::bring_up_network(section, [&](std::string_view text) {
    if (text.substr(0, 9) == "network: ") text.remove_prefix(9);  // the step is named already
    progress.line("network", std::string(text));
  });
  if (lease)
    progress.line("network", "ready in " + seconds_since(start) + ": " + lease->describe());
  else
    progress.line("network", "not up after " + seconds_since(start) + ": " + lease.error().message() +
                                 " (the capture goes on: local destinations may still work)");
}

void bring_up(const config::Config& config, run::Progress& progress) {
  if (!config.network) {
    progress.line("network", "no [network] section: not set up");
    return;
  }
  bring_up_section(*config.network, progress);
}

// file:// destinations and fallback_path on the machine's own disks (/etc/vmcap-mounts).
void mount_disks(run::Progress& progress) { g_disks.mount_all(disk_lines(progress)); }

// The capture in a child: its exit status, or -1 when it did not exit normally.
int capture_in_child(run::Progress& progress) {
  auto start = Clock::now();
  std::fflush(nullptr);
  pid_t child = fork();
  if (child < 0) {
    progress.line("init", std::string("fork failed: ") + std::strerror(errno) + "; capturing in PID 1");
  }
  if (child <= 0) {
    int status = run::kCaptureNothingSaved;
    try {
      run::CaptureOptions options;
      options.config_path = config::kDefaultConfigPath;
      options.vmcore = "/proc/vmcore";
      options.before_final_action = [&progress] { unmount_disks(progress); };
      status = run::run_capture(options, progress);
    } catch (const std::exception& e) {
      progress.line("init", std::string("the capture threw: ") + e.what());
    } catch (...) {
      progress.line("init", "the capture threw something unknown");
    }
    std::fflush(nullptr);
    if (child == 0) _exit(status);
    return status;
  }
  for (;;) {
    int ws = 0;
    pid_t p = waitpid(-1, &ws, 0);
    if (p < 0 && errno == EINTR) continue;
    if (p < 0) return -1;  // ECHILD: it is gone
    if (p != child) continue;  // an orphan re-parented to PID 1
    if (WIFEXITED(ws)) {
      progress.line("init", "capture ended with exit status " + std::to_string(WEXITSTATUS(ws)) + " after " +
                                seconds_since(start));
      return WEXITSTATUS(ws);
    }
    if (WIFSIGNALED(ws)) {
      progress.line("init", std::string("capture killed by signal ") + strsignal(WTERMSIG(ws)) + " after " +
                                seconds_since(start));
      return -1;
    }
  }
}

// Without RDRAND (QEMU's default CPU, some VMs) the kernel's pool is not ready this early and
// its first reader spins in the kernel's jitter entropy loop, a second under emulation. TLS
// and curl's resolver (c-ares reads /dev/urandom) will need it: start that now, on a thread
// of its own, while the modules load and DHCP waits for replies.
void warm_up_random_pool() {
  std::thread([] {
    unsigned char byte = 0;
    while (::getrandom(&byte, 1, 0) < 0 && errno == EINTR) {
    }
  }).detach();
}

}  // namespace

void bring_up_capture_network(const std::string& config_path, const std::string& vmcore, run::Progress& progress) {
  if (auto why = run::not_a_capture_kernel(vmcore)) {
    progress.line("network", "not set up: " + *why + " (--network sets addresses and routes: a capture kernel's job)");
    return;
  }
  warm_up_random_pool();  // as under /init: TLS and c-ares read the pool right after
  auto loaded = config::load_config_for_capture(config_path);
  config::Network section;
  if (loaded.config.network) {
    section = *loaded.config.network;
  } else {
    section.hostname = loaded.config.hostname;
    progress.line("network", "no [network] section: DHCP on the first Ethernet interface");
  }
  bring_up_section(section, progress);
}

bool running_as_init(const char* argv0) {
  if (getpid() != 1 || !argv0) return false;
  std::string name = argv0;
  return name.substr(name.find_last_of('/') + 1) == "init";
}

void run_as_init() {
  run::Progress progress;  // times from here: about when the kernel handed over
  InitState state;
  try {
    auto mount_failures = mount_system_filesystems();
    ensure_console_stdio();
    progress.line("init", "vmcap " VMCAP_VERSION " is /init (PID 1)");
    for (const auto& f : mount_failures) progress.line("init", f);
    // Signals the kernel may send init (ctrl-alt-del): the capture is not interrupted.
    std::signal(SIGINT, SIG_IGN);
    std::signal(SIGTERM, SIG_IGN);
    std::signal(SIGHUP, SIG_IGN);
    warm_up_random_pool();

    load_config(state, progress);
    load_modules(progress);
    bring_up(state.config, progress);

    struct stat st {};
    if (stat("/proc/vmcore", &st) != 0) {
      progress.line("init", "no /proc/vmcore: this is not a kdump capture kernel (booted normally?); nothing to capture");
      finish(state.config.failure_action, progress);
    }
    mount_disks(progress);
    int status = capture_in_child(progress);
    // The child did the final action itself unless it was none, shell, or the child died.
    finish(status == run::kCaptureComplete ? state.config.final_action : state.config.failure_action, progress);
  } catch (const std::exception& e) {
    progress.line("init", std::string("internal error: ") + e.what());
  } catch (...) {
    progress.line("init", "internal error");
  }
  finish(state.config.failure_action, progress);
}

}  // namespace vmcap::initramfs
