// Machines as dump files name them: the ELF e_machine number, the name people read, the
// utsname.machine string a kernel reports (what a kdump-compressed header carries), and
// what a note block says when the header does not (QEMU's aarch64 kdump writes "Unknown").
// One table for every reader and writer, so no two places disagree on a name.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace vmcap {

struct Note;

inline constexpr uint16_t kEmI386 = 3;
inline constexpr uint16_t kEmArm = 40;
inline constexpr uint16_t kEmX86_64 = 62;
inline constexpr uint16_t kEmAarch64 = 183;

// "x86_64", "aarch64", "i386", ... or "unknown (N)".
std::string machine_name(uint16_t e_machine);
// What `uname -m` says on that machine ("i686" for EM_386); "unknown" when not known.
std::string utsname_machine(uint16_t e_machine);
// ELF e_machine for a utsname.machine string ("x86_64" -> 62); 0 when unknown.
uint16_t machine_from_utsname(const std::string& machine);
// Word size for a utsname.machine string; nullopt when unknown.
std::optional<int> word_size_from_utsname(const std::string& machine);
bool is_x86_32_utsname(const std::string& machine);

// The machine whose struct elf_prstatus has this size (the kernel's and QEMU's layouts:
// x86_64 336, i386 144, aarch64 392, arm 148; s390x shares 336 but is big-endian).
// 0 when no known machine has it.
uint16_t machine_from_prstatus_size(size_t desc_size, bool little_endian);

struct MachineFromNotes {
  uint16_t machine = 0;
  std::string basis;  // for people: which note said so
};
// The machine the first "CORE" NT_PRSTATUS note's size names; machine 0 when the notes
// have none or its size is no known machine's.
MachineFromNotes machine_from_notes(const std::vector<Note>& notes, bool little_endian);

}  // namespace vmcap
