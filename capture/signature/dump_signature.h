// The crash signature of a whole dump: its kernel log, its crashing CPU and its kallsyms,
// put together. What `vmcap capture` writes into the manifest.
#pragma once

#include "capture/signature/crash_signature.h"
#include "capture/translate/kernel_view.h"
#include "elf/dump.h"

namespace vmcap {

// Only the end of the log matters: the crash is what the kernel printed last.
inline constexpr size_t kSignatureLogRecords = 2000;

// Never fails for want of a piece: a log that cannot be decoded, a dump without CPU notes
// or a kernel without kallsyms in VMCOREINFO each leave their field empty and add a line
// to CrashSignature::warnings.
Result<CrashSignature> signature_of_dump(const Dump& dump, const KernelView& view);

}  // namespace vmcap
