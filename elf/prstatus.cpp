#include "elf/prstatus.h"

#include <fmt/format.h>

#include "elf/byte_order.h"

namespace vmcap {

namespace {

struct Layout {
  size_t size;  // sizeof(struct elf_prstatus)
  size_t pid_at;
  size_t reg_at;
  unsigned width;  // bytes per register
  std::vector<const char*> names;
  const char* pc;
  const char* sp;
  const char* fp;
};

const Layout* layout_for(uint16_t machine) {
  static const Layout x86_64{336, 32, 112, 8,
                             {"r15", "r14", "r13", "r12", "rbp", "rbx", "r11", "r10", "r9",
                              "r8", "rax", "rcx", "rdx", "rsi", "rdi", "orig_rax", "rip", "cs",
                              "eflags", "rsp", "ss", "fs_base", "gs_base", "ds", "es", "fs",
                              "gs"},
                             "rip", "rsp", "rbp"};
  static const Layout i386{144, 24, 72, 4,
                           {"ebx", "ecx", "edx", "esi", "edi", "ebp", "eax", "ds", "es", "fs",
                            "gs", "orig_eax", "eip", "cs", "eflags", "esp", "ss"},
                           "eip", "esp", "ebp"};
  static const Layout aarch64 = [] {
    static std::vector<std::string> storage;
    Layout l{392, 32, 112, 8, {}, "pc", "sp", "x29"};
    for (int i = 0; i <= 30; ++i) storage.push_back(fmt::format("x{}", i));
    for (const auto& s : storage) l.names.push_back(s.c_str());
    l.names.push_back("sp");
    l.names.push_back("pc");
    l.names.push_back("pstate");
    return l;
  }();
  switch (machine) {
    case kEmX86_64: return &x86_64;
    case kEmI386: return &i386;
    case kEmAarch64: return &aarch64;
    default: return nullptr;
  }
}

uint64_t find(const std::vector<std::pair<std::string, uint64_t>>& regs, const char* name) {
  for (const auto& [n, v] : regs)
    if (n == name) return v;
  return 0;
}

}  // namespace

Result<CpuState> decode_prstatus(const Note& note, uint16_t machine, bool little_endian, int cpu,
                                 const std::string& path) {
  if (note.type != kNtPrstatus)
    return make_error(ErrorKind::Format, path, note.file_offset,
                      fmt::format("note type {} is not NT_PRSTATUS", note.type));
  const Layout* l = layout_for(machine);
  if (!l)
    return make_error(ErrorKind::Format, path, note.file_offset,
                      fmt::format("NT_PRSTATUS for machine {} is not supported", machine));
  const size_t need = l->reg_at + l->names.size() * l->width;
  if (note.desc.size() < need)
    return make_error(ErrorKind::Format, path, note.file_offset,
                      fmt::format("NT_PRSTATUS of {} bytes, too short for machine {}'s registers "
                                  "(struct elf_prstatus is {} bytes)",
                                  note.desc.size(), machine, l->size));
  std::span<const std::byte> d(note.desc);
  CpuState s;
  s.cpu = cpu;
  s.pid = load_u32(d, l->pid_at, little_endian);
  for (size_t i = 0; i < l->names.size(); ++i)
    s.registers.emplace_back(l->names[i], load_uint(d, l->reg_at + i * l->width, l->width,
                                                    little_endian));
  s.pc = find(s.registers, l->pc);
  s.sp = find(s.registers, l->sp);
  s.fp = find(s.registers, l->fp);
  return s;
}

std::vector<std::pair<std::string, uint64_t>> key_registers(const CpuState& cpu, uint16_t machine) {
  std::vector<const char*> names;
  switch (machine) {
    case kEmAarch64: names = {"pc", "sp", "pstate", "x29", "x30"}; break;
    case kEmX86_64: names = {"rip", "rsp", "rbp", "eflags"}; break;
    case kEmI386: names = {"eip", "esp", "ebp", "eflags"}; break;
    default: return {};
  }
  std::vector<std::pair<std::string, uint64_t>> out;
  for (const char* n : names)
    for (const auto& [name, v] : cpu.registers)
      if (name == n) {
        out.emplace_back(name, v);
        break;
      }
  if (cpu.cr3) out.emplace_back("cr3", *cpu.cr3);
  return out;
}

Result<QemuCpuState> decode_qemu_cpu_state(const Note& note, bool little_endian,
                                           const std::string& path) {
  constexpr size_t kV1Size = 432;  // without kernel_gs_base
  std::span<const std::byte> d(note.desc);
  if (note.name != "QEMU")
    return make_error(ErrorKind::Format, path, note.file_offset,
                      fmt::format("note \"{}\" is not a QEMU note", note.name));
  if (d.size() < kV1Size)
    return make_error(ErrorKind::Format, path, note.file_offset,
                      fmt::format("QEMU CPU state of {} bytes, need at least {}", d.size(), kV1Size));
  QemuCpuState s;
  s.version = load_u32(d, 0, little_endian);
  s.size = load_u32(d, 4, little_endian);
  if (s.version != 1)
    return make_error(ErrorKind::Format, path, note.file_offset,
                      fmt::format("QEMU CPU state version {} (only 1 is known)", s.version));
  static const char* const names[18] = {"rax", "rbx", "rcx", "rdx", "rsi", "rdi",
                                        "rsp", "rbp", "r8",  "r9",  "r10", "r11",
                                        "r12", "r13", "r14", "r15", "rip", "rflags"};
  for (size_t i = 0; i < 18; ++i) s.registers.emplace_back(names[i], load_u64(d, 8 + 8 * i, little_endian));
  static const char* const segments[10] = {"cs", "ds", "es", "fs", "gs", "ss", "ldt", "tr", "gdt", "idt"};
  for (size_t i = 0; i < 10; ++i) {
    const size_t at = 152 + 24 * i;
    s.registers.emplace_back(segments[i], load_u32(d, at, little_endian));
    s.registers.emplace_back(fmt::format("{}_base", segments[i]), load_u64(d, at + 16, little_endian));
  }
  for (size_t i = 0; i < 5; ++i) {
    s.cr[i] = load_u64(d, 392 + 8 * i, little_endian);
    s.registers.emplace_back(fmt::format("cr{}", i), s.cr[i]);
  }
  // Fields past version 1's first layout are optional; `size` says whether they are there.
  if (s.size >= 440 && d.size() >= 440) {
    s.kernel_gs_base = load_u64(d, 432, little_endian);
    s.registers.emplace_back("kernel_gs_base", *s.kernel_gs_base);
  }
  s.rip = find(s.registers, "rip");
  s.rsp = find(s.registers, "rsp");
  s.rbp = find(s.registers, "rbp");
  return s;
}

CpuStates read_cpu_states(const Dump& dump) {
  CpuStates out;
  // By ordinal, with a gap where a note could not be decoded: the i-th NT_PRSTATUS and the
  // i-th QEMU note are the same CPU, so one damaged note must not shift the pairing.
  std::vector<std::optional<CpuState>> prstatus;
  std::vector<std::optional<QemuCpuState>> qemu;
  for (const Note& n : dump.notes()) {
    if (n.name == "CORE" && n.type == kNtPrstatus) {
      auto s = decode_prstatus(n, dump.machine(), dump.little_endian(),
                               static_cast<int>(prstatus.size()), dump.path());
      if (!s) out.warnings.push_back(s.error().message());
      prstatus.push_back(s ? std::optional(std::move(*s)) : std::nullopt);
    } else if (n.name == "QEMU" && (dump.machine() == kEmX86_64 || dump.machine() == kEmI386)) {
      auto q = decode_qemu_cpu_state(n, dump.little_endian(), dump.path());
      if (!q) out.warnings.push_back(q.error().message());
      qemu.push_back(q ? std::optional(std::move(*q)) : std::nullopt);
    }
  }
  for (size_t i = 0; i < std::max(prstatus.size(), qemu.size()); ++i) {
    const auto* p = i < prstatus.size() && prstatus[i] ? &*prstatus[i] : nullptr;
    const auto* q = i < qemu.size() && qemu[i] ? &*qemu[i] : nullptr;
    if (!p && !q) continue;
    CpuState s;
    if (p) {
      s = *p;
    } else {
      s.cpu = static_cast<int>(i);
      s.pc = q->rip;
      s.sp = q->rsp;
      s.fp = q->rbp;
      s.registers = q->registers;
    }
    if (q) {
      s.cr3 = q->cr[3];
      if (p)
        for (size_t c = 0; c < 5; ++c) s.registers.emplace_back(fmt::format("cr{}", c), q->cr[c]);
    }
    out.cpus.push_back(std::move(s));
  }
  return out;
}

}  // namespace vmcap
