// The crash signature of a whole dump: its kernel log, its crashing CPU and its kallsyms,
// put together. What `vmcap capture` writes into the manifest.
#pragma once

#include <optional>
#include <string>

#include "capture/signature/crash_signature.h"
#include "capture/signature/log_tail.h"
#include "capture/translate/kernel_view.h"
#include "elf/dump.h"

namespace vmcap {

// Never fails for want of a piece: a log that cannot be decoded, a dump without CPU notes
// or a kernel without kallsyms in VMCOREINFO each leave their field empty and add a line
// to CrashSignature::warnings. Decodes the log itself.
Result<CrashSignature> signature_of_dump(const Dump& dump, const KernelView& view);

// The same from a log already decoded into `tail` (the capture decodes the log once, for
// its artifacts and this); `log_error` says why decoding failed, when it did.
CrashSignature signature_from_log_tail(const Dump& dump, const KernelView& view, const LogTail& tail,
                                       const std::optional<std::string>& log_error);

}  // namespace vmcap
