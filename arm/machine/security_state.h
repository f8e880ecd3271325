// What the running kernel lets arming do: the lockdown state, UEFI Secure Boot, the
// kexec sysctls and CAP_SYS_BOOT. Under lockdown (which Debian's and Fedora's kernels turn
// on with Secure Boot) only kexec_file_load with a signed kernel passes; kexec_load, what
// `kexec -p` uses without -s, is refused.
//
// Sources (Linux): security/lockdown/lockdown.c (lockdown_read: every level, the current
// one in brackets: "[none] integrity confidentiality"), Documentation/filesystems/
// efivarfs.rst (a variable file is its 4-byte attributes, then the data), UEFI spec 3.3
// (SecureBoot and SetupMode: one byte, 1 on, 0 off; enforcing when SecureBoot is 1 and
// SetupMode 0), Documentation/admin-guide/sysctl/kernel.rst (kexec_load_disabled: one-way;
// kexec_load_limit_panic, 6.6+: attempts left, -1 unlimited), include/uapi/linux/
// capability.h (CAP_SYS_BOOT is bit 22), proc(5) (CapEff in /proc/self/status).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "arm/machine/fact.h"

namespace vmcap::arm {

enum class Lockdown { None, Integrity, Confidentiality };
std::string_view lockdown_name(Lockdown l);  // "none", "integrity", "confidentiality"

inline constexpr int kCapSysBoot = 22;

struct SecurityState {
  Fact<Lockdown> lockdown;              // /sys/kernel/security/lockdown
  Fact<bool> secure_boot;               // SecureBoot-8be4df61-...; false when not booted by UEFI
  Fact<bool> setup_mode;                // SetupMode-8be4df61-...
  Fact<bool> kexec_load_disabled;       // /proc/sys/kernel/kexec_load_disabled
  Fact<int64_t> kexec_load_limit_panic; // /proc/sys/kernel/kexec_load_limit_panic; 0 refuses all
  Fact<bool> cap_sys_boot;              // CAP_SYS_BOOT in CapEff of /proc/self/status

  // Secure Boot on and enforcing (SecureBoot 1, SetupMode 0); unknown when either is.
  Fact<bool> secure_boot_enforcing() const;
};

// The bracketed word of the lockdown file's text.
Fact<Lockdown> parse_lockdown(std::string_view text);
// An efivarfs file's bytes: 4 attribute bytes, then the one-byte value (0 or 1).
Fact<bool> parse_efi_boolean(std::span<const uint8_t> bytes, std::string_view name);
// CAP_SYS_BOOT from /proc/self/status text (its "CapEff:\t000001ffffffffff" line).
Fact<bool> parse_cap_sys_boot(std::string_view proc_status);

// Reads every fact under ROOT. The EFI variables are looked up in
// ROOT/sys/firmware/efi/efivars; without ROOT/sys/firmware/efi the machine did not boot by
// UEFI and Secure Boot is known to be off.
SecurityState read_security_state(const std::string& root = "/");

}  // namespace vmcap::arm
