#include "elf/elf_physical_memory.h"

#include <algorithm>
#include <cstring>

#include <fmt/format.h>

namespace vmcap {

ElfPhysicalMemory::ElfPhysicalMemory(std::shared_ptr<const FileReader> file,
                                     std::vector<ElfLoadSegment> segments)
    : file_(std::move(file)) {
  std::erase_if(segments, [](const ElfLoadSegment& s) { return s.memsz == 0; });
  std::stable_sort(segments.begin(), segments.end(), [](const auto& a, const auto& b) {
    return a.paddr != b.paddr ? a.paddr < b.paddr : a.phdr_index < b.phdr_index;
  });
  // Sweep in (paddr, phdr order): each segment keeps only what no earlier one covers, which
  // gives every address to the containing segment with the lowest start.
  uint64_t covered_end = 0;
  bool any = false;
  for (const auto& s : segments) {
    const uint64_t end = s.paddr + s.memsz;  // validated not to overflow
    const uint64_t start = any ? std::max(s.paddr, covered_end) : s.paddr;
    if (start < end) {
      const uint64_t skip = start - s.paddr;
      Piece p;
      p.start = start;
      p.end = end;
      p.file_offset = s.file_offset + skip;
      p.data_end = s.paddr + s.filesz;  // may be below start: then the piece is all zeros
      p.phdr_index = s.phdr_index;
      pieces_.push_back(p);
    }
    covered_end = any ? std::max(covered_end, end) : end;
    any = true;
  }
  for (const auto& p : pieces_) {
    if (!ranges_.empty() && ranges_.back().end() == p.start)
      ranges_.back().size += p.end - p.start;
    else
      ranges_.push_back(PhysRange{p.start, p.end - p.start});
  }
}

const ElfPhysicalMemory::Piece* ElfPhysicalMemory::piece_at(uint64_t paddr) const {
  auto it = std::upper_bound(pieces_.begin(), pieces_.end(), paddr,
                             [](uint64_t a, const Piece& p) { return a < p.start; });
  if (it == pieces_.begin()) return nullptr;
  --it;
  return paddr < it->end ? &*it : nullptr;
}

Result<void> ElfPhysicalMemory::read(uint64_t paddr, std::span<std::byte> out) const {
  uint64_t done = 0;
  // Each step finishes the request or the current piece, so at most pieces_.size() + 1 steps.
  while (done < out.size()) {
    const uint64_t at = paddr + done;
    if (at < paddr)  // wrapped past the top of the address space
      return make_error(ErrorKind::Hole, file_->path(), at, "physical address range wraps around");
    const Piece* p = piece_at(at);
    if (!p)
      return make_error(ErrorKind::Hole, file_->path(), at,
                        fmt::format("physical address {:#x} is not in the dump", at));
    const uint64_t n = std::min<uint64_t>(out.size() - done, p->end - at);
    std::span<std::byte> chunk = out.subspan(done, n);
    uint64_t from_file = at < p->data_end ? std::min<uint64_t>(n, p->data_end - at) : 0;
    if (from_file > 0) {
      auto r = file_->read_at(p->file_offset + (at - p->start), chunk.first(from_file));
      if (!r) {
        Error e = std::move(r).error();
        const uint64_t file_at = p->file_offset + (at - p->start);
        // Name the first physical address whose bytes are missing, not just the read's start.
        const uint64_t missing = e.offset && *e.offset >= file_at ? at + (*e.offset - file_at) : at;
        e.reason = fmt::format("physical address {:#x} (program header {}) is not in the file: {}",
                               missing, p->phdr_index, e.reason);
        return e;
      }
    }
    std::memset(chunk.data() + from_file, 0, n - from_file);
    done += n;
  }
  return ok();
}

}  // namespace vmcap
