// `vmcap capture`: the job vmcap exists for (issue 5, docs/manifest.md). In order:
// 1. the config, with fallbacks (said on the console); 2. the vmcore and the manifest;
// 3. the log decoded once, dmesg.txt and dmesg.json uploaded first with the manifest
// marked incomplete; 4. the filtered core streamed to a destination (flattened kdump,
// never whole in memory or on disk); 5. the final manifest; 6. the final action.
// Destinations are tried in the configured order until one takes each artifact. When
// none takes the log it goes to fallback_path, and as the last resort to the console.
// A watchdog does the final action when the global deadline passes.
#pragma once

#include <functional>
#include <string>

#include "capture/run/progress.h"

namespace vmcap::run {

struct CaptureOptions {
  std::string config_path = "/etc/vmcap.conf";
  std::string vmcore = "/proc/vmcore";
  bool dry_run = false;  // the whole pipeline, but the final action is only printed
  // The final action outside a capture kernel too (final_action.h: skipped there otherwise).
  bool force_final_action = false;
  // Called after the sync, right before a reboot, poweroff or halt (not for none, shell or
  // a skipped action): vmcap's /init unmounts the local disks it mounted there.
  std::function<void()> before_final_action;
};

// Exit statuses of a capture (docs/manifest.md): every artifact saved and every
// destination tried took what it was given; the log saved somewhere but not everything;
// nothing saved.
inline constexpr int kCaptureComplete = 0;
inline constexpr int kCapturePartial = 1;
inline constexpr int kCaptureNothingSaved = 2;

// Runs the capture and its final action (which may not return). Returns the exit status.
int run_capture(const CaptureOptions& options, Progress& progress);

}  // namespace vmcap::run
