#include "capture/info/summary_format.h"

#include <ctime>

#include <fmt/format.h>

#include "capture/core/human_size.h"

namespace vmcap {
namespace {

// 64-bit addresses exceed JSON's exact integer range (2^53): write them as hex strings.
std::string hex(uint64_t v) { return fmt::format("{:#x}", v); }

std::string utc(int64_t t) {
  std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  if (!gmtime_r(&tt, &tm)) return "?";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string_view generation_span(PrintkGeneration g) {
  switch (g) {
    case PrintkGeneration::Lockless: return " (kernel 5.10 and later)";
    case PrintkGeneration::Records: return " (kernel 3.5 to 5.9)";
    case PrintkGeneration::CharRing: return " (kernel before 3.5)";
    case PrintkGeneration::Unknown: break;
  }
  return "";
}

}  // namespace

std::string summary_text(const DumpSummary& s) {
  std::string o;
  auto line = [&](std::string_view label, const std::string& value) {
    o += fmt::format("{:<14}{}\n", label, value);
  };
  line("file:", s.path);
  std::string machine = s.machine_name;
  // Say how the machine was known only when the file did not name it outright.
  if (!s.machine_basis.empty() && s.machine_basis != "ELF e_machine" &&
      s.machine_basis != "utsname.machine")
    machine += " (" + s.machine_basis + ")";
  line("format:", fmt::format("{}, ELF{} {}-endian, {}", s.format, s.word_size,
                              s.little_endian ? "little" : "big", machine));
  if (!s.has_vmcoreinfo) {
    line("vmcoreinfo:", "absent (QEMU dumps carry it only with -device vmcoreinfo and the "
                        "guest's qemu_fw_cfg module)");
  } else {
    line("kernel:", s.kernel_release.value_or("(no OSRELEASE)"));
    line("build-id:", s.build_id.value_or("(none)"));
    line("page size:", s.page_size ? std::to_string(*s.page_size) : "(no PAGESIZE)");
    line("crash time:", s.crash_time ? fmt::format("{} ({})", utc(*s.crash_time), *s.crash_time)
                                     : "(no CRASHTIME: not a kernel crash dump)");
    line("KASLR offset:", s.kaslr_offset ? hex(*s.kaslr_offset) : "(no KERNELOFFSET)");
    line("log buffer:", std::string(to_string(s.printk)) + std::string(generation_span(s.printk)));
  }
  line("CPUs:", std::to_string(s.cpus.size()));
  if (s.crashing_cpu) {
    const auto& c = s.cpus[*s.crashing_cpu];
    line("crashed CPU:", fmt::format("{} (pid {}; {})", c.cpu, c.pid, s.crashing_cpu_basis));
    std::string regs = fmt::format("pc {:#018x}  sp {:#018x}  fp {:#018x}", c.pc, c.sp, c.fp);
    if (c.cr3) regs += fmt::format("  cr3 {:#x}", *c.cr3);
    line("", regs);
  }
  // Every CPU's own registers (pstate and x30 say more than pc alone on arm64), up to a
  // screenful; --json has them all.
  constexpr size_t kCpuLines = 64;
  for (size_t i = 0; i < s.cpus.size() && i < s.key_registers.size() && i < kCpuLines; ++i) {
    if (s.key_registers[i].empty()) continue;
    std::string regs = fmt::format("cpu {} pid {}:", s.cpus[i].cpu, s.cpus[i].pid);
    for (const auto& [name, v] : s.key_registers[i]) regs += fmt::format(" {} {:#x}", name, v);
    line(i == 0 ? "registers:" : "", regs);
  }
  if (s.cpus.size() > kCpuLines)
    line("", fmt::format("... {} more CPUs (--json lists them all)", s.cpus.size() - kCpuLines));
  if (!s.pages_held) {
    line("memory:", fmt::format("{} ({} bytes) in {} ranges", human_size(s.memory_total),
                                s.memory_total, s.memory.size()));
  } else {
    // A kdump-compressed file: the machine's RAM, then what of it the file holds.
    const std::string mapnr = fmt::format("max_mapnr {:#x}", s.max_mapnr.value_or(0));
    line("memory:", s.machine_memory
                        ? fmt::format("{} ({} bytes) of RAM in the crashed machine ({}, {})",
                                      human_size(*s.machine_memory), *s.machine_memory,
                                      s.machine_memory_basis, mapnr)
                        : fmt::format("unknown ({} unreadable, {})", s.machine_memory_basis, mapnr));
    std::string held = fmt::format("{} pages, {} ({} bytes), in {} ranges", *s.pages_held,
                                   human_size(s.memory_total), s.memory_total, s.memory.size());
    if (s.pages_excluded)
      held += *s.pages_excluded == 0
                  ? std::string("; none left out")
                  : fmt::format("; {} pages left out (dump level {})", *s.pages_excluded, s.dump_level.value_or(0));
    line("in the file:", held);
    if (s.block_size && s.page_size && *s.block_size != *s.page_size)
      line("block size:", fmt::format("{} bytes, not the page size {}: pfns above count {}-byte "
                                      "blocks (QEMU's aarch64 kdump writes 64 KiB blocks)",
                                      *s.block_size, *s.page_size, *s.block_size));
  }
  for (const auto& r : s.memory)
    line("", fmt::format("{:#014x}-{:#014x}  {}", r.start, r.end() - 1, human_size(r.size)));
  for (const auto& f : s.features) {
    std::string v = f.missing.empty() ? "supported" : "missing";
    for (const auto& k : f.missing) v += " " + k;
    line(f.feature == s.features.front().feature ? "features:" : "", f.feature + ": " + v);
  }
  std::string notes;
  for (const auto& n : s.notes) notes += fmt::format("{}{}/{}", notes.empty() ? "" : " ", n.name, n.type);
  line("notes:", fmt::format("{}: {}", s.notes.size(), notes));
  if (s.truncated) line("truncated:", s.truncated->message());
  for (const auto& w : s.warnings) line("warning:", w);
  return o;
}

nlohmann::ordered_json summary_json(const DumpSummary& s) {
  using json = nlohmann::ordered_json;
  json j;
  j["schema"] = "vmcap-info/1";
  j["file"] = {{"path", s.path},
               {"format", s.format},
               {"class", s.word_size},
               {"byte_order", s.little_endian ? "little" : "big"},
               {"machine", s.machine_name},
               {"machine_basis", s.machine_basis},
               {"e_machine", s.machine}};
  json k = json::object();
  k["vmcoreinfo"] = s.has_vmcoreinfo;
  k["release"] = s.kernel_release ? json(*s.kernel_release) : json(nullptr);
  k["build_id"] = s.build_id ? json(*s.build_id) : json(nullptr);
  k["page_size"] = s.page_size ? json(*s.page_size) : json(nullptr);
  k["crash_time"] = s.crash_time ? json(*s.crash_time) : json(nullptr);
  k["crash_time_utc"] = s.crash_time ? json(utc(*s.crash_time)) : json(nullptr);
  k["kaslr_offset"] = s.kaslr_offset ? json(hex(*s.kaslr_offset)) : json(nullptr);
  k["printk"] = to_string(s.printk);
  k["vmcoreinfo_keys"] = s.vmcoreinfo_keys;
  json features = json::array();
  for (const auto& f : s.features)
    features.push_back({{"feature", f.feature}, {"supported", f.missing.empty()}, {"missing", f.missing}});
  k["features"] = features;
  j["kernel"] = k;

  json cpus = json::array();
  for (size_t i = 0; i < s.cpus.size(); ++i) {
    const auto& c = s.cpus[i];
    json regs = json::object();
    for (const auto& [name, v] : c.registers) regs[name] = hex(v);
    json key = json::object();
    if (i < s.key_registers.size())
      for (const auto& [name, v] : s.key_registers[i]) key[name] = hex(v);
    cpus.push_back({{"cpu", c.cpu},
                    {"pid", c.pid},
                    {"pc", hex(c.pc)},
                    {"sp", hex(c.sp)},
                    {"fp", hex(c.fp)},
                    {"cr3", c.cr3 ? json(hex(*c.cr3)) : json(nullptr)},
                    {"key_registers", key},
                    {"registers", regs}});
  }
  j["cpus"] = {{"count", s.cpus.size()},
               {"crashing", s.crashing_cpu ? json(*s.crashing_cpu) : json(nullptr)},
               {"crashing_basis", s.crashing_cpu_basis},
               {"list", cpus}};
  json ranges = json::array();
  for (const auto& r : s.memory)
    ranges.push_back({{"start", hex(r.start)}, {"end", hex(r.end())}, {"size", r.size}});
  auto optional = [](const auto& v) { return v ? json(*v) : json(nullptr); };
  j["memory"] = {{"total_bytes", s.memory_total},
                 {"ranges", ranges},
                 {"machine_bytes", optional(s.machine_memory)},
                 {"machine_basis", s.machine_memory_basis},
                 {"block_size", optional(s.block_size)},
                 {"max_mapnr", optional(s.max_mapnr)},
                 {"dump_level", optional(s.dump_level)},
                 {"pages_held", optional(s.pages_held)},
                 {"pages_excluded", optional(s.pages_excluded)}};
  json notes = json::array();
  for (const auto& n : s.notes) notes.push_back({{"name", n.name}, {"type", n.type}, {"size", n.size}});
  j["notes"] = notes;
  j["truncated"] = s.truncated ? json(s.truncated->message()) : json(nullptr);
  j["warnings"] = s.warnings;
  return j;
}

}  // namespace vmcap
