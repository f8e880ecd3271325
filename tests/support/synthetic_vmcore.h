// Writes ELF core files ("vmcores") for tests, byte by byte, without libelf, so the
// reader under test and the writer share no code. Any class (ELF32/ELF64), byte order,
// program header placement (including QEMU's leading section header and PN_XNUM), notes
// and PT_LOAD segments; plus helpers that damage the result on purpose.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "elf/result.h"

namespace vmcap::testing {

// x86_64 user_regs_struct, in the kernel's order (what NT_PRSTATUS pr_reg holds).
struct X86_64Regs {
  uint64_t r15 = 0, r14 = 0, r13 = 0, r12 = 0, rbp = 0, rbx = 0, r11 = 0, r10 = 0, r9 = 0,
           r8 = 0, rax = 0, rcx = 0, rdx = 0, rsi = 0, rdi = 0, orig_rax = 0, rip = 0, cs = 0,
           eflags = 0, rsp = 0, ss = 0, fs_base = 0, gs_base = 0, ds = 0, es = 0, fs = 0, gs = 0;
};

// The parts of QEMU's QEMUCPUState (target/i386/arch_dump.c, version 1) tests care about.
struct QemuX86_64State {
  uint64_t rax = 0, rbx = 0, rcx = 0, rdx = 0, rsi = 0, rdi = 0, rsp = 0, rbp = 0;
  uint64_t r8 = 0, r9 = 0, r10 = 0, r11 = 0, r12 = 0, r13 = 0, r14 = 0, r15 = 0;
  uint64_t rip = 0, rflags = 0;
  std::array<uint64_t, 5> cr{};  // cr[3] is the page table root
  uint64_t kernel_gs_base = 0;
};

// One program header exactly as it will be written: for segments whose fields must
// contradict their data (filesz > memsz, offsets past the end of the file, ...).
struct RawPhdr {
  uint32_t type = 1;  // PT_LOAD
  uint32_t flags = 0;
  uint64_t offset = 0;
  uint64_t vaddr = 0;
  uint64_t paddr = 0;
  uint64_t filesz = 0;
  uint64_t memsz = 0;
  uint64_t align = 0;
};

class SyntheticVmcore {
 public:
  // --- File header -------------------------------------------------------------------
  SyntheticVmcore& set_class(int bits);              // 64 (default) or 32
  SyntheticVmcore& set_big_endian(bool big);         // default little endian
  SyntheticVmcore& set_machine(uint16_t e_machine);  // default EM_X86_64 (62)
  SyntheticVmcore& set_type(uint16_t e_type);        // default ET_CORE (4)
  // Value written to e_ehsize; default the true header size. QEMU writes a wrong one.
  SyntheticVmcore& set_ehsize(uint16_t e_ehsize);
  // Section headers (all SHT_NULL-like, index 0 carrying PN_XNUM's count) written right
  // after the ELF header, before the program headers, the way QEMU's dump does.
  SyntheticVmcore& set_leading_section_headers(unsigned count);
  // Where the program headers go; default right after the header (and section headers).
  SyntheticVmcore& set_phdr_offset(uint64_t offset);
  // Where the first note segment's data starts; default 0x1000 if that is past the
  // headers (as in a real /proc/vmcore), else right after the headers.
  SyntheticVmcore& set_notes_offset(uint64_t offset);
  // Alignment of each PT_LOAD's file data; default 4096. Use 8 for many tiny segments.
  SyntheticVmcore& set_load_alignment(uint64_t align);

  // --- Notes (all go into the current PT_NOTE segment) ---------------------------------
  SyntheticVmcore& add_note(std::string_view name, uint32_t type, std::span<const std::byte> desc);
  SyntheticVmcore& add_note(std::string_view name, uint32_t type, std::string_view desc);
  SyntheticVmcore& add_vmcoreinfo(std::string_view text);  // "VMCOREINFO", type 0
  // "CORE" NT_PRSTATUS in the x86_64 struct elf_prstatus layout (336 bytes, pr_pid at 32,
  // pr_reg at 112). Always written for x86_64 regardless of set_class.
  SyntheticVmcore& add_prstatus(uint32_t pid, const X86_64Regs& regs);
  // "QEMU" note, type 0, QEMUCPUState version 1 (440 bytes, cr[3] at 416).
  SyntheticVmcore& add_qemu_cpu_state(const QemuX86_64State& state);
  // Raw bytes appended to the current note segment as they are (for garbled notes).
  SyntheticVmcore& add_raw_note_bytes(std::span<const std::byte> bytes);
  // Start another PT_NOTE segment; later add_* notes go there.
  SyntheticVmcore& new_note_segment();
  // Write no PT_NOTE at all (also suppresses the empty one written by default).
  SyntheticVmcore& set_no_notes(bool none);

  // --- Memory -------------------------------------------------------------------------
  // A PT_LOAD with the given physical and virtual address and file bytes; memsz 0 means
  // bytes.size(), larger than bytes.size() means the rest reads as zeros.
  SyntheticVmcore& add_load(uint64_t paddr, uint64_t vaddr, std::span<const std::byte> bytes,
                            uint64_t memsz = 0);
  SyntheticVmcore& add_load(uint64_t paddr, uint64_t vaddr, std::string_view bytes,
                            uint64_t memsz = 0);
  // A program header written exactly as given, after the generated ones (no data).
  SyntheticVmcore& add_raw_phdr(const RawPhdr& phdr);

  // --- Output -------------------------------------------------------------------------
  std::vector<std::byte> bytes() const;
  Result<void> write(const std::string& path) const;

  // File offset where the data of the i-th add_load segment starts in bytes().
  uint64_t load_offset(size_t index) const;
  // File offset of the first note segment's data in bytes().
  uint64_t notes_offset() const;

  // --- Damage helpers -----------------------------------------------------------------
  static Result<void> write_file(const std::string& path, std::span<const std::byte> bytes);
  static Result<void> truncate_file(const std::string& path, uint64_t size);
  // Overwrite bytes at offset (growing nothing: stops at the end).
  static void garble(std::vector<std::byte>& bytes, uint64_t offset,
                     std::span<const std::byte> with);
  // n bytes from a fixed-seed generator, for "random bytes" inputs.
  static std::vector<std::byte> random_bytes(size_t n, uint32_t seed = 1);

 private:
  struct Load {
    uint64_t paddr, vaddr, memsz;
    std::vector<std::byte> data;
  };
  struct Layout;
  Layout layout() const;

  int bits_ = 64;
  bool big_endian_ = false;
  uint16_t machine_ = 62;
  uint16_t type_ = 4;
  std::optional<uint16_t> ehsize_;
  unsigned leading_shdrs_ = 0;
  std::optional<uint64_t> phdr_offset_;
  std::optional<uint64_t> notes_offset_;
  uint64_t load_align_ = 4096;
  bool no_notes_ = false;
  std::vector<std::vector<std::byte>> note_segments_{1};
  std::vector<Load> loads_;
  std::vector<RawPhdr> raw_phdrs_;
};

// Convenience: bytes from text.
std::vector<std::byte> to_bytes(std::string_view s);

}  // namespace vmcap::testing
