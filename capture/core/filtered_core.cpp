#include "capture/core/filtered_core.h"

#include <algorithm>
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

std::string machine_string(uint16_t machine) {
  switch (machine) {
    case 62: return "x86_64";
    case 183: return "aarch64";
    case 3: return "i686";
  }
  return "unknown";
}

KdumpHeaderFields header_fields(const Dump& dump, const KernelView* kernel, int dump_level,
                                uint32_t page_size, std::vector<std::string>& warnings) {
  KdumpHeaderFields f;
  f.page_size = page_size;
  f.dump_level = dump_level;
  f.notes = encode_note_block(dump.notes(), dump.little_endian());
  f.machine = machine_string(dump.machine());
  uint32_t cpus = 0;
  for (const auto& n : dump.notes()) cpus += n.name == "CORE" && n.type == kNtPrstatus;
  f.nr_cpus = std::max<uint32_t>(cpus, 1);
  f.timestamp_sec = static_cast<uint64_t>(std::time(nullptr));
  if (!kernel) return f;
  const VmcoreInfo& info = kernel->info;
  if (auto t = info.crash_time()) f.timestamp_sec = static_cast<uint64_t>(*t);
  if (auto pb = info.number("phys_base")) f.phys_base = static_cast<uint64_t>(*pb);
  f.release = info.value("OSRELEASE").value_or("");
  if (auto uts = read_utsname(info, *kernel->memory)) {
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

}  // namespace

Result<CoreResult> write_filtered_core(const Dump& dump, const KernelView* kernel,
                                       const CoreOptions& options, ByteSink& sink) {
  CoreResult result;
  uint32_t page_size = 4096;
  if (kernel) page_size = static_cast<uint32_t>(kernel->info.page_size().value_or(4096));

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
                                        FilterOptions{.dump_level = options.dump_level & ~1}));
    filtered->dump_level = options.dump_level;
    result.warnings = filtered->warnings;
    keep = std::move(filtered->keep);
  }
  const uint64_t kept = keep.count();

  KdumpHeaderFields fields = header_fields(dump, kernel, options.dump_level, page_size, result.warnings);
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
