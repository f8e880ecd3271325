#include "elf/elf_dump.h"

#include <gelf.h>
#include <libelf.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <mutex>

#include <fmt/format.h>

#include "elf/elf_notes.h"

namespace vmcap {

namespace {

struct ElfCloser {
  void operator()(Elf* e) const { elf_end(e); }
};
using ElfHandle = std::unique_ptr<Elf, ElfCloser>;

Error elf_error(ErrorKind kind, const std::string& path, std::optional<uint64_t> offset,
                const std::string& what) {
  return make_error(kind, path, offset, fmt::format("{}: {}", what, elf_errmsg(-1)));
}

const char* segment_type_name(uint32_t t) {
  return t == PT_LOAD ? "PT_LOAD" : t == PT_NOTE ? "PT_NOTE" : "segment";
}

// The 16 identification bytes, checked by hand for messages clearer than libelf's.
Result<void> check_ident(const FileReader& file) {
  if (file.size() == 0) return make_error(ErrorKind::Format, file.path(), std::nullopt, "empty file");
  std::array<std::byte, EI_NIDENT> ident{};
  if (file.size() < ident.size())
    return make_error(ErrorKind::Format, file.path(), 0,
                      fmt::format("not an ELF file: only {} bytes", file.size()));
  VMCAP_CHECK(file.read_at(0, ident));
  if (std::memcmp(ident.data(), ELFMAG, SELFMAG) != 0)
    return make_error(ErrorKind::Format, file.path(), 0, "not an ELF file (no \\x7fELF magic)");
  auto cls = std::to_integer<unsigned>(ident[EI_CLASS]);
  auto data = std::to_integer<unsigned>(ident[EI_DATA]);
  if (cls != ELFCLASS32 && cls != ELFCLASS64)
    return make_error(ErrorKind::Format, file.path(), EI_CLASS,
                      fmt::format("bad ELF class {} (expected 1 or 2)", cls));
  if (data != ELFDATA2LSB && data != ELFDATA2MSB)
    return make_error(ErrorKind::Format, file.path(), EI_DATA,
                      fmt::format("bad ELF data encoding {} (expected 1 or 2)", data));
  return ok();
}

void init_libelf() {
  static std::once_flag once;
  std::call_once(once, [] { elf_version(EV_CURRENT); });
}

}  // namespace

Result<std::unique_ptr<ElfDump>> ElfDump::open(const std::string& path,
                                               const ElfOpenOptions& options) {
  FileReaderOptions reader_options;
  reader_options.use_mmap = options.use_mmap;
  std::shared_ptr<FileReader> file = VMCAP_TRY(FileReader::open(path, reader_options));
  VMCAP_CHECK(check_ident(*file));

  init_libelf();
  ElfHandle elf(elf_begin(file->fd(), options.use_mmap ? ELF_C_READ_MMAP : ELF_C_READ, nullptr));
  if (!elf) return elf_error(ErrorKind::Format, path, 0, "libelf cannot open the file");
  if (elf_kind(elf.get()) != ELF_K_ELF)
    return make_error(ErrorKind::Format, path, 0, "not an ELF file");

  GElf_Ehdr ehdr;
  if (!gelf_getehdr(elf.get(), &ehdr))
    return elf_error(ErrorKind::Format, path, 0, "bad ELF header");
  if (ehdr.e_type != ET_CORE)
    return make_error(ErrorKind::Format, path, 16,
                      fmt::format("ELF type {} is not a core file (ET_CORE = 4)", ehdr.e_type));

  std::unique_ptr<ElfDump> dump(new ElfDump());
  dump->file_ = file;
  dump->machine_ = ehdr.e_machine;
  dump->word_size_ = ehdr.e_ident[EI_CLASS] == ELFCLASS64 ? 64 : 32;
  dump->little_endian_ = ehdr.e_ident[EI_DATA] == ELFDATA2LSB;
  const uint64_t phentsize = dump->word_size_ == 64 ? sizeof(Elf64_Phdr) : sizeof(Elf32_Phdr);

  // The count as the header states it (libelf's elf_getphdrnum silently clamps it to what
  // fits in the file, which would hide truncation); PN_XNUM: section header 0's sh_info.
  uint64_t phnum = ehdr.e_phnum;
  if (ehdr.e_phnum == PN_XNUM) {
    GElf_Shdr shdr0;
    Elf_Scn* scn0 = elf_getscn(elf.get(), 0);
    if (!scn0 || !gelf_getshdr(scn0, &shdr0))
      return elf_error(ErrorKind::Format, path, ehdr.e_shoff,
                       "e_phnum is PN_XNUM but section header 0 (which holds the count) is "
                       "unreadable");
    phnum = shdr0.sh_info;
  }
  if (phnum == 0) return make_error(ErrorKind::Format, path, std::nullopt, "no program headers");
  if (phnum > kMaxElfSegments)
    return make_error(ErrorKind::Limit, path, ehdr.e_phoff,
                      fmt::format("{} program headers, more than the limit of {}", phnum,
                                  kMaxElfSegments));
  if (ehdr.e_phentsize != phentsize)
    return make_error(ErrorKind::Format, path, std::nullopt,
                      fmt::format("e_phentsize {} (expected {})", ehdr.e_phentsize, phentsize));
  if (!file->contains(ehdr.e_phoff, phnum * phentsize))  // phnum <= 2^20: no overflow
    return make_error(ErrorKind::Truncated, path, ehdr.e_phoff,
                      fmt::format("{} program headers of {} bytes do not fit in the {}-byte file",
                                  phnum, phentsize, file->size()));
  dump->phnum_ = phnum;

  // Per-header warnings are capped: 2^20 damaged headers must not make a million strings.
  uint64_t header_warnings = 0;
  auto warn = [&](std::string w) {
    if (++header_warnings <= kMaxHeaderWarnings) dump->warnings_.push_back(std::move(w));
  };
  std::vector<std::pair<uint64_t, uint64_t>> note_segments;  // file offset, filesz
  for (size_t i = 0; i < phnum; ++i) {
    const uint64_t ph_at = ehdr.e_phoff + i * phentsize;
    GElf_Phdr ph;
    if (!gelf_getphdr(elf.get(), static_cast<int>(i), &ph))
      return elf_error(ErrorKind::Format, path, ph_at, fmt::format("program header {}", i));
    if (ph.p_type != PT_LOAD && ph.p_type != PT_NOTE) continue;
    const char* kind = segment_type_name(ph.p_type);
    // A damaged header is skipped, not the file: the others hold the log and the RAM.
    auto skip = [&](std::string what) {
      warn(fmt::format("{}: offset {:#x}: program header {} ({}) skipped: {}", path, ph_at, i, kind,
                       what));
    };
    if (ph.p_offset + ph.p_filesz < ph.p_offset) {
      skip(fmt::format("p_offset {:#x} + p_filesz {:#x} overflows", ph.p_offset, ph.p_filesz));
      continue;
    }
    if (ph.p_type == PT_NOTE) {
      note_segments.emplace_back(ph.p_offset, ph.p_filesz);
      continue;
    }
    if (ph.p_filesz > ph.p_memsz) {
      skip(fmt::format("p_filesz {:#x} > p_memsz {:#x}", ph.p_filesz, ph.p_memsz));
      continue;
    }
    if (ph.p_paddr + ph.p_memsz < ph.p_paddr) {
      skip(fmt::format("p_paddr {:#x} + p_memsz {:#x} overflows", ph.p_paddr, ph.p_memsz));
      continue;
    }
    if (ph.p_paddr + ph.p_memsz > kMaxPhysicalAddress) {
      skip(fmt::format("p_paddr {:#x} + p_memsz {:#x} ends above {:#x}, the widest physical "
                       "address space of any Linux machine",
                       ph.p_paddr, ph.p_memsz, kMaxPhysicalAddress));
      continue;
    }
    if (ph.p_memsz == 0) continue;
    if (!file->contains(ph.p_offset, ph.p_filesz))
      warn(fmt::format(
          "{}: offset {:#x}: program header {} (PT_LOAD, paddr {:#x}) is truncated: its data "
          "ends at {:#x} but the file ends at {:#x}",
          path, std::max(ph.p_offset, file->size()), i, ph.p_paddr, ph.p_offset + ph.p_filesz,
          file->size()));
    dump->loads_.push_back(
        ElfLoadSegment{ph.p_paddr, ph.p_vaddr, ph.p_offset, ph.p_filesz, ph.p_memsz, i});
    if (ph.p_vaddr != 0 && ph.p_vaddr != ph.p_paddr)
      dump->mappings_.push_back(VirtualMapping{ph.p_vaddr, ph.p_paddr, ph.p_memsz});
  }

  // Notes: bounded reads of what the file really holds; problems become warnings. The
  // budget covers all segments together: many PT_NOTE headers may point at the same bytes.
  uint64_t note_bytes = 0;
  for (auto [offset, filesz] : note_segments) {
    if (dump->notes_.size() >= kMaxNotes) {
      warn(fmt::format("{}: offset {:#x}: {} notes already kept; this note segment and any "
                       "later ones are skipped",
                       path, offset, kMaxNotes));
      break;
    }
    if (filesz > kMaxNoteSegmentBytes) {
      warn(fmt::format("{}: offset {:#x}: note segment of {} bytes is over the {}-byte limit; "
                       "skipped",
                       path, offset, filesz, kMaxNoteSegmentBytes));
      continue;
    }
    uint64_t available = filesz;
    if (!file->contains(offset, filesz)) {
      available = offset < file->size() ? file->size() - offset : 0;
      warn(fmt::format(
          "{}: offset {:#x}: note segment is truncated: {} of its {} bytes are in the file",
          path, offset + available, available, filesz));
    }
    if (available == 0) continue;
    if (available > kMaxNoteBytes - note_bytes) {
      warn(fmt::format("{}: offset {:#x}: note segments of more than {} bytes in all; this one "
                       "({} bytes) and any later ones are skipped",
                       path, offset, kMaxNoteBytes, available));
      break;
    }
    note_bytes += available;
    std::vector<std::byte> data(available);
    if (auto r = file->read_at(offset, data); !r) {
      warn(r.error().message());
      continue;
    }
    if (auto r = parse_elf_notes(data, offset, dump->little_endian_, path, dump->notes_); !r)
      warn(r.error().message());
  }
  if (header_warnings > kMaxHeaderWarnings)
    dump->warnings_.push_back(fmt::format("{}: {} more warnings about program headers not shown",
                                          path, header_warnings - kMaxHeaderWarnings));

  dump->memory_ = std::make_unique<ElfPhysicalMemory>(file, dump->loads_);
  return dump;
}

Result<std::unique_ptr<Dump>> open_elf_dump(const std::string& path, const ElfOpenOptions& options) {
  std::unique_ptr<ElfDump> dump = VMCAP_TRY(ElfDump::open(path, options));
  return std::unique_ptr<Dump>(std::move(dump));
}

}  // namespace vmcap
