#include "capture/info/dump_summary.h"

#include <fmt/format.h>

#include "capture/kernel/vmcoreinfo.h"
#include "elf/crashing_cpu.h"
#include "elf/kdump/kdump.h"
#include "elf/machine.h"
#include "elf/open_dump.h"

namespace vmcap {

namespace {

// A dump cut short (a copy that ran out of disk, an interrupted transfer) still opens;
// find out by reading the last byte of every range, which for ELF costs one pread each.
std::optional<Error> find_truncation(const Dump& dump) {
  if (dump.format() != "elf") return std::nullopt;  // kdump readers check descriptors at open
  std::byte b;
  for (const auto& r : dump.memory().ranges()) {
    auto got = dump.memory().read(r.end() - 1, std::span(&b, 1));
    if (!got && got.error().kind == ErrorKind::Truncated) return got.error();
  }
  return std::nullopt;
}

// arm64 with pointer authentication: a saved return address (x30, the link register)
// carries a PAC in its top bits; NUMBER(KERNELPACMASK) names them. A kernel address gets
// them set back to ones, so x30 reads as the symbol it points at (as crash and drgn show it).
void strip_return_address_pac(DumpSummary& s, uint64_t mask) {
  for (auto& regs : s.key_registers)
    for (auto& [name, v] : regs)
      if (name == "x30" && (v & (uint64_t{1} << 55))) v |= mask;
}

}  // namespace

Result<DumpSummary> summarize_dump(const Dump& dump) {
  DumpSummary s;
  s.path = dump.path();
  s.format = dump.format();
  s.word_size = dump.word_size();
  s.little_endian = dump.little_endian();
  s.machine = dump.machine();
  s.machine_name = machine_name(dump.machine());
  s.machine_basis = dump.format() == "elf" ? "ELF e_machine" : "";
  s.warnings = open_warnings(dump);

  for (const auto& n : dump.notes()) s.notes.push_back({n.name, n.type, n.desc.size()});

  auto cpus = read_cpu_states(dump);
  s.cpus = std::move(cpus.cpus);
  for (const auto& c : s.cpus) s.key_registers.push_back(key_registers(c, dump.machine()));
  for (auto& w : cpus.warnings) s.warnings.push_back(std::move(w));
  if (auto c = choose_crashing_cpu(s.cpus)) {
    s.crashing_cpu = c->index;
    s.crashing_cpu_basis = c->basis;
  }

  s.memory = dump.memory().ranges();
  s.memory_total = dump.memory().total_bytes();
  s.machine_memory = s.memory_total;
  s.machine_memory_basis = "ELF PT_LOADs";
  if (const KdumpInfo* k = kdump_info(dump)) {
    s.machine_basis = k->machine_basis;
    s.block_size = k->block_size;
    s.max_mapnr = k->max_mapnr;
    s.dump_level = k->dump_level;
    s.pages_held = k->dumped_pages;
    s.machine_memory_basis = "kdump 1st bitmap";
    s.machine_memory = k->ram_pages * k->block_size;
    s.pages_excluded = k->excluded_pages;
  }
  s.truncated = find_truncation(dump);

  if (auto text = dump.vmcoreinfo_text()) {
    auto info = VMCAP_TRY(VmcoreInfo::parse(*text, dump.path()));
    s.has_vmcoreinfo = true;
    s.vmcoreinfo_keys = info.entries().size();
    s.kernel_release = info.value("OSRELEASE");
    s.build_id = info.value("BUILD-ID");
    s.page_size = info.page_size();
    s.crash_time = info.crash_time();
    s.kaslr_offset = info.kernel_offset();
    s.printk = printk_generation(info);
    s.features = check_feature_keys(info, dump.machine());
    if (dump.machine() == kEmAarch64)
      if (auto mask = info.number("KERNELPACMASK")) strip_return_address_pac(s, static_cast<uint64_t>(*mask));
    for (const auto& line : info.malformed_lines())
      s.warnings.push_back("VMCOREINFO line without '=': " + line);
  }
  return s;
}

}  // namespace vmcap
