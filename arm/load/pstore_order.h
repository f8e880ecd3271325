// Which runs first at a panic: kdump or the kmsg dumpers that write the log to pstore.
// The kernel starts the capture kernel before the dumpers unless crash_kexec_post_notifiers
// is on, so an armed machine leaves no pstore record: when the capture kernel then fails,
// the crash leaves nothing. With `pstore = yes` (docs/config.md) vmcap arm turns it on at
// run time, and vmcap status says whether it is.
#pragma once

#include <string>

#include "arm/machine/fact.h"
#include "elf/result.h"

namespace vmcap::arm {

inline constexpr const char* kPostNotifiersPath = "/sys/module/kernel/parameters/crash_kexec_post_notifiers";
inline constexpr const char* kPstoreBackendPath = "/sys/module/pstore/parameters/backend";

struct PstoreOrder {
  Fact<bool> post_notifiers;  // Y: the dumpers run before kdump
  Fact<std::string> backend;  // the registered pstore backend (ramoops, efi_pstore, erst), "" none
};

PstoreOrder read_pstore_order(const std::string& root);

// Writes "Y" to ROOT/sys/module/kernel/parameters/crash_kexec_post_notifiers.
Result<void> enable_post_notifiers(const std::string& root);

// One line for arm and status: "on (...)" or "off (...)", with the backend.
std::string pstore_order_text(const PstoreOrder& order);

}  // namespace vmcap::arm
