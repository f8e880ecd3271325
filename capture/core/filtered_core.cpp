#include "capture/core/filtered_core.h"

#include <algorithm>
#include <bit>
#include <ctime>
#include <optional>

#include <fmt/format.h>

#include "capture/core/zero_page_wording.h"
#include "capture/filter/classify_pages.h"
#include "capture/filter/dump_level.h"
#include "capture/kernel/utsname.h"
#include "capture/writer/elf_writer.h"
#include "capture/writer/kdump_writer.h"
#include "capture/writer/note_block.h"
#include "elf/kdump/kdump.h"
#include "elf/machine.h"

namespace vmcap {
namespace {

constexpr uint32_t kNtPrstatus = 1;

// Dump level 0: every whole page the dump holds.
PfnBitmap all_pages(const PhysicalMemory& memory, uint64_t page_size) {
  uint64_t end = 0;
  for (const auto& r : memory.ranges()) end = std::max(end, r.end() / page_size);
  PfnBitmap keep(end);
  for (const auto& r : memory.ranges())
    keep.set_range((r.start + page_size - 1) / page_size, r.end() / page_size);
  return keep;
}

// `info` and `memory` may each be null: without VMCOREINFO the header has what the
// dump's own notes say; without virtual memory (no translation for this kernel) it has
// VMCOREINFO's keys but not the utsname read from the kernel.
KdumpHeaderFields header_fields(const Dump& dump, const VmcoreInfo* info,
                                const VirtualMemory* memory, int dump_level, uint32_t page_size,
                                std::vector<std::string>& warnings) {
  KdumpHeaderFields f;
  f.page_size = page_size;
  f.dump_level = dump_level;
  f.notes = encode_note_block(dump.notes(), dump.little_endian());
  f.machine = utsname_machine(dump.machine());
  uint32_t cpus = 0;
  for (const auto& n : dump.notes()) cpus += n.name == "CORE" && n.type == kNtPrstatus;
  f.nr_cpus = std::max<uint32_t>(cpus, 1);
  f.timestamp_sec = static_cast<uint64_t>(std::time(nullptr));
  if (!info) return f;
  if (auto t = info->crash_time()) f.timestamp_sec = static_cast<uint64_t>(*t);
  // x86_64 exports phys_base; arm64 PHYS_OFFSET, which makedumpfile writes here too and
  // crash reads back as the arm64 phys_offset of a kdump-compressed file.
  if (auto pb = info->number("phys_base")) f.phys_base = static_cast<uint64_t>(*pb);
  else if (auto po = info->number("PHYS_OFFSET")) f.phys_base = static_cast<uint64_t>(*po);
  f.release = info->value("OSRELEASE").value_or("");
  if (!memory) {
    warnings.push_back("no address translation for this kernel: the header carries "
                       "OSRELEASE only, not the kernel's utsname");
    return f;
  }
  if (auto uts = read_utsname(*info, *memory)) {
    f.sysname = uts->sysname;
    f.nodename = uts->nodename;
    f.release = uts->release;
    f.version = uts->version;
    f.machine = uts->machine;
    f.domainname = uts->domainname;
  } else {
    warnings.push_back("utsname not readable, the header carries OSRELEASE only: " +
                       uts.error().message());
  }
  return f;
}

// The block size of the core: the kernel's page size (PAGESIZE), whatever unit the source
// counts in (QEMU's aarch64 kdump counts 64 KiB blocks for 4K and 16K kernels alike, and
// makedumpfile and crash take a kdump file's block size for the page size). Without a
// PAGESIZE that is a page size (a power of two, 512 B..1 MiB, as the writers take), a kdump
// source's own block size (the unit its pages are known in), else 4096.
uint32_t core_page_size(const Dump& dump, const VmcoreInfo* info, std::vector<std::string>& warnings) {
  constexpr uint32_t kDefault = 4096;
  const KdumpInfo* k = kdump_info(dump);
  const uint32_t fallback = k ? k->block_size : kDefault;
  if (!info) return fallback;
  auto p = info->page_size();
  if (!p) return fallback;
  if (*p >= 512 && *p <= (1u << 20) && std::has_single_bit(*p)) return static_cast<uint32_t>(*p);
  warnings.push_back(fmt::format("VMCOREINFO PAGESIZE {} is not a page size: the core counts "
                                 "{}-byte pages ({})",
                                 *p, fallback, k ? "the source's block size" : "the default"));
  return fallback;
}

}  // namespace

Result<CoreResult> write_filtered_core(const Dump& dump, const KernelView* kernel,
                                       const CoreOptions& options, ByteSink& sink) {
  CoreResult result;
  // Without a kernel view (-d 0 where this kernel's translation failed) VMCOREINFO still
  // gives the page size and the header's keys.
  std::optional<VmcoreInfo> own_info;
  if (!kernel)
    if (auto text = dump.vmcoreinfo_text())
      if (auto parsed = VmcoreInfo::parse(*text, dump.path())) own_info = std::move(*parsed);
  const VmcoreInfo* info = kernel ? &kernel->info : own_info ? &*own_info : nullptr;
  const uint32_t page_size = core_page_size(dump, info, result.warnings);

  PfnBitmap keep;
  std::optional<FilterResult> filtered;  // none at dump level 0
  if (options.dump_level == 0) {
    keep = all_pages(dump.memory(), page_size);
  } else {
    if (!kernel)
      return make_error(ErrorKind::Missing, dump.path(), std::nullopt,
                        "dump level " + std::to_string(options.dump_level) +
                            " needs VMCOREINFO; use -d 0 to copy every page");
    // Zero pages (bit 1) are not dropped from the bitmap: the kdump writer stores them as
    // references to one shared zero page, as makedumpfile does, so a structure that spans
    // a zero page (the printk descriptor ring's unused tail) still reads back whole in
    // crash and makedumpfile. The writer counts them; the summary is written after it.
    filtered = VMCAP_TRY(classify_pages(kernel->info, *kernel->memory, dump.memory(),
                                        FilterOptions{.dump_level = options.dump_level & ~1,
                                                      .machine = dump.machine()}));
    filtered->dump_level = options.dump_level;
    result.warnings.insert(result.warnings.end(), filtered->warnings.begin(), filtered->warnings.end());
    keep = std::move(filtered->keep);
  }
  const uint64_t kept = keep.count();

  KdumpHeaderFields fields = header_fields(dump, info, kernel ? kernel->memory.get() : nullptr,
                                          options.dump_level, page_size, result.warnings);
  const bool shared_zero_page = options.format != CoreFormat::Elf;
  if (options.format == CoreFormat::Elf) {
    ElfHeaderFields ef{dump.machine(), page_size, std::move(fields.notes), dump.virtual_mappings()};
    result.stats = VMCAP_TRY(write_elf(dump.memory(), keep, ef, options.write, sink));
  } else {
    result.stats = VMCAP_TRY(write_kdump(dump.memory(), keep, fields, options.write, sink));
  }

  const std::string zero = zero_page_wording(options.dump_level, shared_zero_page, result.stats.zero_pages);
  if (!filtered) {
    result.filter_summary = fmt::format("dump level 0: kept all {} pages; {}", kept, zero);
    return result;
  }
  // At bit 1 the zero pages the writer met are the ones the level excludes (makedumpfile
  // counts them the same way, as it writes).
  if (shared_zero_page && (options.dump_level & kExcludeZero)) {
    FilterCounts& c = filtered->counts;
    const uint64_t zeros = std::min(result.stats.zero_pages, c.kept);
    c.by_category[static_cast<int>(PageCategory::Zero)] += zeros;
    c.kept -= zeros;
  }
  result.filter_summary = format_filter_summary(*filtered) + "; " + zero;
  return result;
}

}  // namespace vmcap
