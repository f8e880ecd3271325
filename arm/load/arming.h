// The commands of the production side (docs/arming.md): `vmcap arm` loads the capture
// kernel and vmcap's image into the crashkernel= reservation, checked and recorded;
// `vmcap disarm` unloads it; `vmcap status` says whether the machine is armed, with what, and
// whether that is still what arm would load. Each prints its steps and returns its status.
#pragma once

#include "arm/load/arm_plan.h"
#include "capture/run/progress.h"

namespace vmcap::arm {

// Exit statuses (docs/exit-status.md).
inline constexpr int kArmOk = 0;         // arm: armed (loaded now, or already current); status: armed and current
inline constexpr int kArmFailed = 1;     // arm/disarm: the kernel refused; the previous image is kept or reloaded
inline constexpr int kArmBadInput = 2;   // a kernel, config, image or module tree that cannot be used
inline constexpr int kNotArmed = 3;      // status: nothing is loaded
inline constexpr int kArmedStale = 4;    // status: loaded, but not what arm would load now
inline constexpr int kCannotArm = 5;     // arm: not on this machine as it is (no reservation, too small, no permission)

int run_arm(const ArmOptions& options, run::Progress& progress);
int run_disarm(const ArmOptions& options, run::Progress& progress);
int run_status(const ArmOptions& options, bool json, run::Progress& progress);
// `vmcap estimate`: the crashkernel= this machine needs for vmcap's capture, how it was
// found, and where to set it; the value alone on stdout, the rest on stderr.
int run_estimate(const ArmOptions& options, run::Progress& progress);
// `vmcap setup-crashkernel [--apply]`: the estimate as a GRUB snippet
// (/etc/default/grub.d/vmcap.cfg, under options.root); --apply writes it and runs
// `update_grub` (empty: tells the operator to). Without --apply the snippet goes to stdout.
int run_setup_crashkernel(const ArmOptions& options, bool apply, const std::string& update_grub,
                          run::Progress& progress);

// The record's path for this boot.
std::string arm_record_path(const ArmOptions& options);

}  // namespace vmcap::arm
