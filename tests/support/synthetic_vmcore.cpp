#include "tests/support/synthetic_vmcore.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <random>

namespace vmcap::testing {

namespace {

constexpr uint32_t kPtLoad = 1;
constexpr uint32_t kPtNote = 4;
constexpr uint16_t kPnXnum = 0xffff;

uint64_t align_up(uint64_t v, uint64_t a) { return a <= 1 ? v : (v + a - 1) / a * a; }

// Puts integers into a byte buffer in the file's byte order.
class Writer {
 public:
  Writer(std::vector<std::byte>& out, bool big) : out_(out), big_(big) {}
  void put(uint64_t offset, uint64_t value, unsigned width) {
    if (out_.size() < offset + width) out_.resize(offset + width);
    for (unsigned i = 0; i < width; ++i) {
      unsigned shift = big_ ? 8 * (width - 1 - i) : 8 * i;
      out_[offset + i] = std::byte((value >> shift) & 0xff);
    }
  }
  void put_bytes(uint64_t offset, std::span<const std::byte> b) {
    if (out_.size() < offset + b.size()) out_.resize(offset + b.size());
    std::copy(b.begin(), b.end(), out_.begin() + static_cast<ptrdiff_t>(offset));
  }

 private:
  std::vector<std::byte>& out_;
  bool big_;
};

// One ELF note (header, padded name, padded desc) in the given byte order.
std::vector<std::byte> encode_note(std::string_view name, uint32_t type,
                                   std::span<const std::byte> desc, bool big) {
  std::vector<std::byte> out;
  Writer w(out, big);
  uint32_t namesz = static_cast<uint32_t>(name.size() + 1);
  w.put(0, namesz, 4);
  w.put(4, desc.size(), 4);
  w.put(8, type, 4);
  std::vector<std::byte> n = to_bytes(name);
  w.put_bytes(12, n);
  uint64_t desc_at = 12 + align_up(namesz, 4);
  out.resize(desc_at, std::byte{0});
  w.put_bytes(desc_at, desc);
  out.resize(desc_at + align_up(desc.size(), 4), std::byte{0});
  return out;
}

}  // namespace

std::vector<std::byte> to_bytes(std::string_view s) {
  std::vector<std::byte> out(s.size());
  if (!s.empty()) std::memcpy(out.data(), s.data(), s.size());
  return out;
}

SyntheticVmcore& SyntheticVmcore::set_class(int bits) { bits_ = bits == 32 ? 32 : 64; return *this; }
SyntheticVmcore& SyntheticVmcore::set_big_endian(bool big) { big_endian_ = big; return *this; }
SyntheticVmcore& SyntheticVmcore::set_machine(uint16_t m) { machine_ = m; return *this; }
SyntheticVmcore& SyntheticVmcore::set_type(uint16_t t) { type_ = t; return *this; }
SyntheticVmcore& SyntheticVmcore::set_ehsize(uint16_t s) { ehsize_ = s; return *this; }
SyntheticVmcore& SyntheticVmcore::set_leading_section_headers(unsigned n) { leading_shdrs_ = n; return *this; }
SyntheticVmcore& SyntheticVmcore::set_phdr_offset(uint64_t o) { phdr_offset_ = o; return *this; }
SyntheticVmcore& SyntheticVmcore::set_notes_offset(uint64_t o) { notes_offset_ = o; return *this; }
SyntheticVmcore& SyntheticVmcore::set_load_alignment(uint64_t a) { load_align_ = a; return *this; }
SyntheticVmcore& SyntheticVmcore::set_no_notes(bool none) { no_notes_ = none; return *this; }

SyntheticVmcore& SyntheticVmcore::add_note(std::string_view name, uint32_t type,
                                           std::span<const std::byte> desc) {
  auto n = encode_note(name, type, desc, big_endian_);
  auto& seg = note_segments_.back();
  seg.insert(seg.end(), n.begin(), n.end());
  return *this;
}

SyntheticVmcore& SyntheticVmcore::add_note(std::string_view name, uint32_t type,
                                           std::string_view desc) {
  return add_note(name, type, to_bytes(desc));
}

SyntheticVmcore& SyntheticVmcore::add_vmcoreinfo(std::string_view text) {
  return add_note("VMCOREINFO", 0, text);
}

SyntheticVmcore& SyntheticVmcore::add_prstatus(uint32_t pid, const X86_64Regs& r) {
  std::vector<std::byte> desc;
  Writer w(desc, big_endian_);
  desc.resize(336, std::byte{0});
  w.put(32, pid, 4);
  const uint64_t regs[27] = {r.r15, r.r14, r.r13, r.r12, r.rbp, r.rbx, r.r11, r.r10, r.r9,
                             r.r8, r.rax, r.rcx, r.rdx, r.rsi, r.rdi, r.orig_rax, r.rip, r.cs,
                             r.eflags, r.rsp, r.ss, r.fs_base, r.gs_base, r.ds, r.es, r.fs,
                             r.gs};
  for (int i = 0; i < 27; ++i) w.put(112 + 8 * i, regs[i], 8);
  return add_note("CORE", 1, desc);
}

SyntheticVmcore& SyntheticVmcore::add_qemu_cpu_state(const QemuX86_64State& s) {
  std::vector<std::byte> desc;
  Writer w(desc, big_endian_);
  desc.resize(440, std::byte{0});
  w.put(0, 1, 4);    // version
  w.put(4, 440, 4);  // size
  const uint64_t regs[18] = {s.rax, s.rbx, s.rcx, s.rdx, s.rsi, s.rdi, s.rsp, s.rbp, s.r8,
                             s.r9,  s.r10, s.r11, s.r12, s.r13, s.r14, s.r15, s.rip, s.rflags};
  for (int i = 0; i < 18; ++i) w.put(8 + 8 * i, regs[i], 8);
  // 10 segment descriptors of 24 bytes at 152 stay zero.
  for (int i = 0; i < 5; ++i) w.put(392 + 8 * i, s.cr[i], 8);
  w.put(432, s.kernel_gs_base, 8);
  return add_note("QEMU", 0, desc);
}

SyntheticVmcore& SyntheticVmcore::add_raw_note_bytes(std::span<const std::byte> bytes) {
  auto& seg = note_segments_.back();
  seg.insert(seg.end(), bytes.begin(), bytes.end());
  return *this;
}

SyntheticVmcore& SyntheticVmcore::new_note_segment() {
  note_segments_.emplace_back();
  return *this;
}

SyntheticVmcore& SyntheticVmcore::add_load(uint64_t paddr, uint64_t vaddr,
                                           std::span<const std::byte> bytes, uint64_t memsz) {
  loads_.push_back(Load{paddr, vaddr, memsz ? memsz : bytes.size(),
                        std::vector<std::byte>(bytes.begin(), bytes.end())});
  return *this;
}

SyntheticVmcore& SyntheticVmcore::add_load(uint64_t paddr, uint64_t vaddr, std::string_view bytes,
                                           uint64_t memsz) {
  return add_load(paddr, vaddr, to_bytes(bytes), memsz);
}

SyntheticVmcore& SyntheticVmcore::add_raw_phdr(const RawPhdr& phdr) {
  raw_phdrs_.push_back(phdr);
  return *this;
}

struct SyntheticVmcore::Layout {
  uint64_t ehdr_size, shentsize, phentsize;
  uint64_t phnum;
  bool xnum;
  uint64_t shnum, shoff, phoff;
  std::vector<uint64_t> note_offsets;
  std::vector<uint64_t> load_offsets;
  uint64_t end;
};

SyntheticVmcore::Layout SyntheticVmcore::layout() const {
  Layout l{};
  bool is64 = bits_ == 64;
  l.ehdr_size = is64 ? 64 : 52;
  l.shentsize = is64 ? 64 : 40;
  l.phentsize = is64 ? 56 : 32;
  uint64_t note_count = no_notes_ ? 0 : note_segments_.size();
  l.phnum = note_count + loads_.size() + raw_phdrs_.size();
  l.xnum = l.phnum >= kPnXnum;
  l.shnum = std::max<uint64_t>(leading_shdrs_, l.xnum ? 1 : 0);
  l.phoff = phdr_offset_ ? *phdr_offset_ : l.ehdr_size + leading_shdrs_ * l.shentsize;
  uint64_t cursor = std::max(l.ehdr_size, l.phoff + l.phnum * l.phentsize);
  if (leading_shdrs_ > 0) {
    l.shoff = l.ehdr_size;
    cursor = std::max(cursor, l.shoff + l.shnum * l.shentsize);
  } else if (l.shnum > 0) {
    l.shoff = align_up(cursor, 8);
    cursor = l.shoff + l.shnum * l.shentsize;
  }
  uint64_t notes_at = notes_offset_ ? *notes_offset_
                      : cursor <= 0x1000 ? 0x1000
                                         : align_up(cursor, 8);
  for (uint64_t i = 0; i < note_count; ++i) {
    l.note_offsets.push_back(notes_at);
    notes_at = align_up(notes_at + note_segments_[i].size(), 4);
  }
  cursor = std::max(cursor, notes_at);
  for (const auto& load : loads_) {
    cursor = align_up(cursor, load_align_);
    l.load_offsets.push_back(cursor);
    cursor += load.data.size();
  }
  l.end = cursor;
  return l;
}

uint64_t SyntheticVmcore::load_offset(size_t index) const { return layout().load_offsets.at(index); }

uint64_t SyntheticVmcore::notes_offset() const {
  auto l = layout();
  return l.note_offsets.empty() ? 0 : l.note_offsets.front();
}

std::vector<std::byte> SyntheticVmcore::bytes() const {
  const Layout l = layout();
  const bool is64 = bits_ == 64;
  std::vector<std::byte> out(l.end, std::byte{0});
  Writer w(out, big_endian_);

  // e_ident
  const unsigned char ident[] = {0x7f, 'E', 'L', 'F', static_cast<unsigned char>(is64 ? 2 : 1),
                                 static_cast<unsigned char>(big_endian_ ? 2 : 1), 1, 0};
  for (size_t i = 0; i < sizeof ident; ++i) out[i] = std::byte{ident[i]};
  w.put(16, type_, 2);
  w.put(18, machine_, 2);
  w.put(20, 1, 4);  // e_version
  uint16_t phnum_field = l.xnum ? kPnXnum : static_cast<uint16_t>(l.phnum);
  uint16_t ehsize = ehsize_ ? *ehsize_ : static_cast<uint16_t>(l.ehdr_size);
  if (is64) {
    w.put(32, l.phoff, 8);
    w.put(40, l.shoff, 8);
    w.put(52, ehsize, 2);
    w.put(54, l.phentsize, 2);
    w.put(56, phnum_field, 2);
    w.put(58, l.shnum ? l.shentsize : 0, 2);
    w.put(60, l.shnum, 2);
  } else {
    w.put(28, l.phoff, 4);
    w.put(32, l.shoff, 4);
    w.put(40, ehsize, 2);
    w.put(42, l.phentsize, 2);
    w.put(44, phnum_field, 2);
    w.put(46, l.shnum ? l.shentsize : 0, 2);
    w.put(48, l.shnum, 2);
  }

  // Section header 0 carries the real program header count when e_phnum is PN_XNUM.
  if (l.shnum > 0 && l.xnum) w.put(l.shoff + (is64 ? 44 : 28), l.phnum, 4);

  uint64_t index = 0;
  auto put_phdr = [&](const RawPhdr& p) {
    uint64_t at = l.phoff + index++ * l.phentsize;
    if (is64) {
      w.put(at + 0, p.type, 4);
      w.put(at + 4, p.flags, 4);
      w.put(at + 8, p.offset, 8);
      w.put(at + 16, p.vaddr, 8);
      w.put(at + 24, p.paddr, 8);
      w.put(at + 32, p.filesz, 8);
      w.put(at + 40, p.memsz, 8);
      w.put(at + 48, p.align, 8);
    } else {
      w.put(at + 0, p.type, 4);
      w.put(at + 4, p.offset, 4);
      w.put(at + 8, p.vaddr, 4);
      w.put(at + 12, p.paddr, 4);
      w.put(at + 16, p.filesz, 4);
      w.put(at + 20, p.memsz, 4);
      w.put(at + 24, p.flags, 4);
      w.put(at + 28, p.align, 4);
    }
  };
  for (size_t i = 0; i < l.note_offsets.size(); ++i) {
    const auto& seg = note_segments_[i];
    w.put_bytes(l.note_offsets[i], seg);
    put_phdr(RawPhdr{kPtNote, 0, l.note_offsets[i], 0, 0, seg.size(), seg.size(), 4});
  }
  for (size_t i = 0; i < loads_.size(); ++i) {
    const auto& load = loads_[i];
    w.put_bytes(l.load_offsets[i], load.data);
    put_phdr(RawPhdr{kPtLoad, 7, l.load_offsets[i], load.vaddr, load.paddr, load.data.size(),
                     load.memsz, load_align_});
  }
  for (const auto& raw : raw_phdrs_) put_phdr(raw);
  return out;
}

Result<void> SyntheticVmcore::write(const std::string& path) const { return write_file(path, bytes()); }

Result<void> SyntheticVmcore::write_file(const std::string& path, std::span<const std::byte> bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return make_error(ErrorKind::Io, path, std::nullopt, std::strerror(errno));
  size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      int e = errno;
      ::close(fd);
      return make_error(ErrorKind::Io, path, done, std::strerror(e));
    }
    done += static_cast<size_t>(n);
  }
  if (::close(fd) != 0) return make_error(ErrorKind::Io, path, std::nullopt, std::strerror(errno));
  return ok();
}

Result<void> SyntheticVmcore::truncate_file(const std::string& path, uint64_t size) {
  if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0)
    return make_error(ErrorKind::Io, path, size, std::strerror(errno));
  return ok();
}

void SyntheticVmcore::garble(std::vector<std::byte>& bytes, uint64_t offset,
                             std::span<const std::byte> with) {
  for (size_t i = 0; i < with.size() && offset + i < bytes.size(); ++i) bytes[offset + i] = with[i];
}

std::vector<std::byte> SyntheticVmcore::random_bytes(size_t n, uint32_t seed) {
  std::mt19937 gen(seed);
  std::vector<std::byte> out(n);
  for (auto& b : out) b = std::byte(gen() & 0xff);
  return out;
}

}  // namespace vmcap::testing
