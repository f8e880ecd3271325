// Lockdown, Secure Boot, the kexec sysctls and CAP_SYS_BOOT over trees made here.
#include "arm/machine/security_state.h"

#include <gtest/gtest.h>

#include <vector>

#include "tests/arm/machine/fake_root.h"

namespace vmcap::arm {
namespace {

using testing::FakeRoot;

const std::string kSecureBoot = "/sys/firmware/efi/efivars/SecureBoot-8be4df61-93ca-11d2-aa0d-00e098032b8c";
const std::string kSetupMode = "/sys/firmware/efi/efivars/SetupMode-8be4df61-93ca-11d2-aa0d-00e098032b8c";

// An efivarfs file: attributes NV|BS|RT (0x06 for these read-only variables), then the value.
std::string efi_var(uint8_t value) { return std::string("\x06\x00\x00\x00", 4) + static_cast<char>(value); }

TEST(Lockdown, TheBracketedWordIsTheLevel) {
  EXPECT_EQ(parse_lockdown("[none] integrity confidentiality\n").value, Lockdown::None);
  EXPECT_EQ(parse_lockdown("none [integrity] confidentiality\n").value, Lockdown::Integrity);
  EXPECT_EQ(parse_lockdown("none integrity [confidentiality]\n").value, Lockdown::Confidentiality);
}

TEST(Lockdown, GarbageIsUnknown) {
  EXPECT_FALSE(parse_lockdown("none integrity confidentiality\n").has_value());
  EXPECT_FALSE(parse_lockdown("[paranoid] none\n").has_value());
  EXPECT_FALSE(parse_lockdown("[none").has_value());
  EXPECT_FALSE(parse_lockdown("").has_value());
  EXPECT_NE(parse_lockdown("[paranoid]").unknown.find("unknown level 'paranoid'"), std::string::npos);
}

TEST(EfiBoolean, TheFifthByteIsTheValue) {
  const std::vector<uint8_t> on{6, 0, 0, 0, 1}, off{6, 0, 0, 0, 0};
  EXPECT_EQ(parse_efi_boolean(on, "SecureBoot").value, true);
  EXPECT_EQ(parse_efi_boolean(off, "SecureBoot").value, false);
}

TEST(EfiBoolean, ShortOrOddValuesAreUnknown) {
  const std::vector<uint8_t> shortv{6, 0, 0, 0}, odd{6, 0, 0, 0, 7};
  EXPECT_FALSE(parse_efi_boolean(shortv, "SecureBoot").has_value());
  EXPECT_FALSE(parse_efi_boolean({}, "SecureBoot").has_value());
  auto f = parse_efi_boolean(odd, "SetupMode");
  EXPECT_FALSE(f.has_value());
  EXPECT_NE(f.unknown.find("value 7"), std::string::npos);
}

TEST(CapSysBoot, Bit22OfCapEff) {
  EXPECT_EQ(parse_cap_sys_boot("Name:\tvmcap\nCapInh:\t0000000000000000\nCapEff:\t000001ffffffffff\n").value, true);
  EXPECT_EQ(parse_cap_sys_boot("CapEff:\t0000000000000000\n").value, false);
  EXPECT_EQ(parse_cap_sys_boot("CapEff:\t0000000000400000\n").value, true);
  EXPECT_EQ(parse_cap_sys_boot("CapEff:\t0000000000200000\n").value, false);
}

TEST(CapSysBoot, MissingOrGarbageIsUnknown) {
  EXPECT_FALSE(parse_cap_sys_boot("Name:\tvmcap\n").has_value());
  EXPECT_FALSE(parse_cap_sys_boot("CapEff:\tzz\n").has_value());
  EXPECT_FALSE(parse_cap_sys_boot("CapEff:\t\n").has_value());
  EXPECT_FALSE(parse_cap_sys_boot("CapEff:\t00000000000000000000000001\n").has_value());
}

TEST(SecurityState, ASecureBootMachineUnderLockdown) {
  FakeRoot m;
  m.put("/sys/kernel/security/lockdown", "none [integrity] confidentiality\n");
  m.put(kSecureBoot, efi_var(1));
  m.put(kSetupMode, efi_var(0));
  m.put("/proc/sys/kernel/kexec_load_disabled", "0\n");
  m.put("/proc/sys/kernel/kexec_load_limit_panic", "-1\n");
  m.put("/proc/self/status", "Name:\tvmcap\nCapEff:\t000001ffffffffff\n");
  auto s = read_security_state(m.root());
  EXPECT_EQ(s.lockdown.value, Lockdown::Integrity);
  EXPECT_EQ(s.secure_boot.value, true);
  EXPECT_EQ(s.setup_mode.value, false);
  EXPECT_EQ(s.secure_boot_enforcing().value, true);
  EXPECT_EQ(s.kexec_load_disabled.value, false);
  EXPECT_EQ(s.kexec_load_limit_panic.value, -1);
  EXPECT_EQ(s.cap_sys_boot.value, true);
  EXPECT_EQ(lockdown_name(*s.lockdown.value), "integrity");
}

TEST(SecurityState, SetupModeMeansNotEnforcing) {
  FakeRoot m;
  m.put(kSecureBoot, efi_var(1));
  m.put(kSetupMode, efi_var(1));
  EXPECT_EQ(read_security_state(m.root()).secure_boot_enforcing().value, false);
}

TEST(SecurityState, ABiosMachineHasNoSecureBoot) {
  FakeRoot m;
  auto s = read_security_state(m.root());
  EXPECT_EQ(s.secure_boot.value, false);
  EXPECT_NE(s.secure_boot.source.find("not booted by UEFI"), std::string::npos);
  EXPECT_EQ(s.secure_boot_enforcing().value, false);
}

TEST(SecurityState, EfiWithoutEfivarfsIsUnknown) {
  FakeRoot m;
  m.mkdir("/sys/firmware/efi/efivars");
  auto s = read_security_state(m.root());
  EXPECT_FALSE(s.secure_boot.has_value());
  EXPECT_NE(s.secure_boot.unknown.find("efivarfs not mounted"), std::string::npos) << s.secure_boot.unknown;
  EXPECT_FALSE(s.secure_boot_enforcing().has_value());
}

TEST(SecurityState, OldFirmwareWithoutTheVariableHasNoSecureBoot) {
  FakeRoot m;
  m.put("/sys/firmware/efi/efivars/Boot0000-8be4df61-93ca-11d2-aa0d-00e098032b8c", efi_var(0));
  auto s = read_security_state(m.root());
  EXPECT_EQ(s.secure_boot.value, false);
  EXPECT_EQ(s.setup_mode.value, false);
}

TEST(SecurityState, EverythingAbsentIsUnknownAndSaysWhy) {
  FakeRoot m;
  auto s = read_security_state(m.root());
  EXPECT_FALSE(s.lockdown.has_value());
  EXPECT_NE(s.lockdown.unknown.find("securityfs not mounted"), std::string::npos);
  EXPECT_FALSE(s.kexec_load_disabled.has_value());
  EXPECT_NE(s.kexec_load_disabled.unknown.find("absent"), std::string::npos);
  EXPECT_FALSE(s.kexec_load_limit_panic.has_value());
  EXPECT_NE(s.kexec_load_limit_panic.unknown.find("before 6.6"), std::string::npos);
  EXPECT_FALSE(s.cap_sys_boot.has_value());
}

TEST(SecurityState, DisabledLoadsAndGarbage) {
  FakeRoot m;
  m.put("/proc/sys/kernel/kexec_load_disabled", "1\n");
  m.put("/proc/sys/kernel/kexec_load_limit_panic", "-\n");
  m.put("/sys/kernel/security/lockdown", std::string(100000, '['));
  auto s = read_security_state(m.root());
  EXPECT_EQ(s.kexec_load_disabled.value, true);
  EXPECT_FALSE(s.kexec_load_limit_panic.has_value());
  EXPECT_FALSE(s.lockdown.has_value());
}

TEST(SecurityState, ThisProcessCapabilitiesAreKnown) {
  auto s = read_security_state("/");
  EXPECT_TRUE(s.cap_sys_boot.has_value()) << s.cap_sys_boot.unknown;
}

}  // namespace
}  // namespace vmcap::arm
