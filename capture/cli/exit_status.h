// vmcap's exit statuses (documented in docs/exit-status.md). Scripts in capture kernels
// branch on these, so they never change meaning.
#pragma once

#include "elf/result.h"

namespace vmcap {

enum ExitStatus : int {
  kExitOk = 0,          // everything asked for was produced
  kExitPartial = 1,     // output produced, but part of it was lost (corrupt or missing data)
  kExitBadInput = 2,    // the dump (or config) cannot be read: wrong format, truncated, missing key
  kExitOutputFailed = 3,// the output could not be written
  kExitUsage = 64,      // the command line is wrong (EX_USAGE)
  kExitInternal = 70,   // a bug in vmcap (EX_SOFTWARE)
};

// Errors from reading a dump: whatever their kind, the input could not be used. (Command
// line mistakes are caught by the parser and get kExitUsage there.)
inline int exit_status_for(const Error&) { return kExitBadInput; }

}  // namespace vmcap
