// `vmcap capture [--config FILE] [--vmcore PATH] [--dry-run]`: the capture kernel's job
// (capture/run/capture_run.h): the log and the filtered core to the configured
// destinations, the manifest, then the final action. Exit status 0 complete, 1 partial,
// 2 nothing saved (docs/manifest.md).
#include "capture/cli/commands.h"

namespace vmcap {

int run_capture_command(const run::CaptureOptions& o) {
  run::Progress progress;
  return run::run_capture(o, progress);
}

}  // namespace vmcap
