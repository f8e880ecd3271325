#include "capture/core/filtered_core.h"

#include <ctime>

#include <fmt/format.h>

#include "capture/filter/classify_pages.h"
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
  if (options.dump_level == 0) {
    keep = all_pages(dump.memory(), page_size);
    result.filter_summary = fmt::format("dump level 0: kept all {} pages", keep.count());
  } else {
    if (!kernel)
      return make_error(ErrorKind::Missing, dump.path(), std::nullopt,
                        "dump level " + std::to_string(options.dump_level) +
                            " needs VMCOREINFO; use -d 0 to copy every page");
    // Zero pages (bit 1) are not dropped but written as references to one shared zero
    // page, as makedumpfile does: a structure that spans a zero page (the printk
    // descriptor ring's unused tail) must still read back whole in crash and makedumpfile.
    auto filtered = VMCAP_TRY(classify_pages(kernel->info, *kernel->memory, dump.memory(),
                                             FilterOptions{.dump_level = options.dump_level & ~1}));
    filtered.dump_level = options.dump_level;
    result.filter_summary = format_filter_summary(filtered);
    if (options.dump_level & 1) result.filter_summary += "; zero pages kept as one shared zero page";
    result.warnings = filtered.warnings;
    keep = std::move(filtered.keep);
  }

  KdumpHeaderFields fields = header_fields(dump, kernel, options.dump_level, page_size, result.warnings);
  if (options.format == CoreFormat::Elf) {
    ElfHeaderFields ef{dump.machine(), page_size, std::move(fields.notes), dump.virtual_mappings()};
    result.stats = VMCAP_TRY(write_elf(dump.memory(), keep, ef, options.write, sink));
  } else {
    result.stats = VMCAP_TRY(write_kdump(dump.memory(), keep, fields, options.write, sink));
  }
  return result;
}

}  // namespace vmcap
