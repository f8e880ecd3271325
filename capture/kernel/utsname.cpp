#include "capture/kernel/utsname.h"

#include <array>
#include <cstring>

#include <fmt/format.h>

namespace vmcap {
namespace {

constexpr size_t kField = 65;  // __NEW_UTS_LEN + 1
constexpr size_t kFields = 6;

std::string field(const std::array<std::byte, kField * kFields>& raw, size_t i) {
  const char* p = reinterpret_cast<const char*>(raw.data()) + i * kField;
  return std::string(p, strnlen(p, kField));
}

Result<Utsname> read_at(const VirtualMemory& memory, uint64_t addr) {
  std::array<std::byte, kField * kFields> raw{};
  VMCAP_CHECK(memory.read(addr, raw));
  return Utsname{field(raw, 0), field(raw, 1), field(raw, 2), field(raw, 3), field(raw, 4), field(raw, 5)};
}

}  // namespace

Result<Utsname> read_utsname(const VmcoreInfo& info, const VirtualMemory& memory) {
  uint64_t base = VMCAP_TRY(info.require_symbol("init_uts_ns"));
  if (auto off = info.offset("uts_namespace.name")) return read_at(memory, base + *off);
  auto release = info.value("OSRELEASE");
  for (uint64_t off : {uint64_t{4}, uint64_t{0}}) {
    auto u = read_at(memory, base + off);
    if (u && release && u->release == *release) return u;
  }
  return make_error(ErrorKind::Missing, {}, base,
                    "init_uts_ns: no OFFSET(uts_namespace.name) and no utsname whose release "
                    "matches OSRELEASE at the known offsets");
}

}  // namespace vmcap
