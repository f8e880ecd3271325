#include "arm/machine/security_state.h"

#include <charconv>
#include <filesystem>

#include "arm/machine/machine_files.h"

namespace vmcap::arm {
namespace {

constexpr std::string_view kLockdownPath = "/sys/kernel/security/lockdown";
constexpr std::string_view kEfiDir = "/sys/firmware/efi";
constexpr std::string_view kEfivarsDir = "/sys/firmware/efi/efivars";
constexpr std::string_view kGlobalVariableGuid = "8be4df61-93ca-11d2-aa0d-00e098032b8c";

Fact<bool> read_efi_boolean(const std::string& root, std::string_view name) {
  const std::string path = std::string(kEfivarsDir) + "/" + std::string(name) + "-" + std::string(kGlobalVariableGuid);
  std::error_code ec;
  if (!std::filesystem::is_directory(under_root(root, kEfiDir), ec))
    return Fact<bool>::known(false, std::string(kEfiDir) + " absent: not booted by UEFI");
  auto f = read_machine_file(root, path, 64);
  if (!f) {
    if (f.error().kind != ErrorKind::Missing) return Fact<bool>::unknown_because(f.error().message(), path);
    if (std::filesystem::is_empty(under_root(root, kEfivarsDir), ec) || ec)
      return Fact<bool>::unknown_because(std::string(kEfivarsDir) + " absent or empty: efivarfs not mounted", path);
    // Firmware that predates Secure Boot (UEFI < 2.3.1) has no such variable.
    return Fact<bool>::known(false, path + " absent: firmware without Secure Boot");
  }
  const auto* p = reinterpret_cast<const uint8_t*>(f->text.data());
  Fact<bool> v = parse_efi_boolean(std::span<const uint8_t>(p, f->text.size()), name);
  v.source = path;
  return v;
}

}  // namespace

std::string_view lockdown_name(Lockdown l) {
  switch (l) {
    case Lockdown::None: return "none";
    case Lockdown::Integrity: return "integrity";
    case Lockdown::Confidentiality: return "confidentiality";
  }
  return "?";
}

Fact<bool> SecurityState::secure_boot_enforcing() const {
  if (secure_boot.value == false) return Fact<bool>::known(false, secure_boot.source);
  if (!secure_boot.value) return Fact<bool>::unknown_because(secure_boot.unknown, secure_boot.source);
  if (!setup_mode.value) return Fact<bool>::unknown_because(setup_mode.unknown, setup_mode.source);
  return Fact<bool>::known(!*setup_mode.value, secure_boot.source);
}

Fact<Lockdown> parse_lockdown(std::string_view text) {
  const std::string from(kLockdownPath);
  const size_t open = text.find('[');
  const size_t close = open == std::string_view::npos ? open : text.find(']', open);
  if (close == std::string_view::npos)
    return Fact<Lockdown>::unknown_because(from + ": no bracketed level in '" +
                                               std::string(trim(text.substr(0, 100))) + "'", from);
  const std::string_view word = text.substr(open + 1, close - open - 1);
  for (Lockdown l : {Lockdown::None, Lockdown::Integrity, Lockdown::Confidentiality})
    if (word == lockdown_name(l)) return Fact<Lockdown>::known(l, from);
  return Fact<Lockdown>::unknown_because(from + ": unknown level '" + std::string(word.substr(0, 40)) + "'", from);
}

Fact<bool> parse_efi_boolean(std::span<const uint8_t> bytes, std::string_view name) {
  if (bytes.size() < 5)
    return Fact<bool>::unknown_because(std::string(name) + ": " + std::to_string(bytes.size()) +
                                       " bytes, want 4 attribute bytes and a value");
  const uint8_t v = bytes[4];
  if (v > 1)
    return Fact<bool>::unknown_because(std::string(name) + ": value " + std::to_string(v) + ", want 0 or 1");
  return Fact<bool>::known(v == 1, std::string(name));
}

Fact<bool> parse_cap_sys_boot(std::string_view status) {
  const std::string from = "/proc/self/status";
  constexpr std::string_view key = "CapEff:";
  size_t at = 0;
  while (at < status.size()) {
    size_t end = status.find('\n', at);
    if (end == std::string_view::npos) end = status.size();
    std::string_view line = status.substr(at, end - at);
    at = end + 1;
    if (!line.starts_with(key)) continue;
    const std::string_view hex = trim(line.substr(key.size()));
    uint64_t caps = 0;
    auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), caps, 16);
    if (hex.empty() || hex.size() > 16 || ec != std::errc{} || p != hex.data() + hex.size())
      return Fact<bool>::unknown_because(from + ": CapEff is not 16 hex digits: '" +
                                         std::string(hex.substr(0, 40)) + "'", from);
    return Fact<bool>::known(((caps >> kCapSysBoot) & 1) != 0, from);
  }
  return Fact<bool>::unknown_because(from + ": no CapEff line", from);
}

SecurityState read_security_state(const std::string& root) {
  SecurityState s;
  if (auto f = read_machine_file(root, kLockdownPath, 256); !f) {
    s.lockdown = Fact<Lockdown>::unknown_because(
        absent_or_message(f.error(), kLockdownPath, "securityfs not mounted, or a kernel without the lockdown LSM"),
        std::string(kLockdownPath));
  } else {
    s.lockdown = parse_lockdown(f->text);
  }
  s.secure_boot = read_efi_boolean(root, "SecureBoot");
  s.setup_mode = read_efi_boolean(root, "SetupMode");
  s.kexec_load_disabled = read_flag_file(root, "/proc/sys/kernel/kexec_load_disabled",
                                           "kernel without kexec, or /proc not mounted");

  constexpr std::string_view limit_path = "/proc/sys/kernel/kexec_load_limit_panic";
  if (auto f = read_machine_file(root, limit_path, 64); !f) {
    s.kexec_load_limit_panic = Fact<int64_t>::unknown_because(
        absent_or_message(f.error(), limit_path, "kernel before 6.6 (no limit)"), std::string(limit_path));
  } else if (auto v = parse_signed_decimal(f->text)) {
    s.kexec_load_limit_panic = Fact<int64_t>::known(*v, std::string(limit_path));
  } else {
    s.kexec_load_limit_panic = Fact<int64_t>::unknown_because(
        std::string(limit_path) + ": not a number: '" + std::string(trim(f->text)) + "'", std::string(limit_path));
  }

  if (auto f = read_machine_file(root, "/proc/self/status", 64u << 10); !f) {
    s.cap_sys_boot = Fact<bool>::unknown_because(
        absent_or_message(f.error(), "/proc/self/status", "/proc not mounted"), "/proc/self/status");
  } else {
    s.cap_sys_boot = parse_cap_sys_boot(f->text);
  }
  return s;
}

}  // namespace vmcap::arm
