#include "capture/kernel/kallsyms.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>

#include <fmt/format.h>

namespace vmcap {
namespace {

constexpr uint64_t kMaxTokenTableBytes = 1 << 16;  // 256 tokens; real tables are ~1 KiB
constexpr uint64_t kNamesChunk = 64 << 10;
constexpr uint64_t kMaxSymbolGap = 16 << 20;       // no real symbol is larger

uint16_t le16(const uint8_t* p) { return uint16_t(p[0] | p[1] << 8); }
uint32_t le32(const uint8_t* p) { return uint32_t(le16(p)) | uint32_t(le16(p + 2)) << 16; }
uint64_t le64(const uint8_t* p) { return uint64_t(le32(p)) | uint64_t(le32(p + 4)) << 32; }

Result<std::vector<uint8_t>> read_bytes(const VirtualMemory& memory, uint64_t addr, uint64_t n) {
  std::vector<uint8_t> out(n);
  VMCAP_CHECK(memory.read(addr, std::as_writable_bytes(std::span(out))));
  return out;
}

Result<uint64_t> read_u64(const VirtualMemory& memory, uint64_t addr) {
  auto b = VMCAP_TRY(read_bytes(memory, addr, 8));
  return le64(b.data());
}

// 6.1 made a token count >= 0x80 take two bytes (commit 73bbb94466fd, "kallsyms: support
// big kernel symbols"); nothing in the tables says so, only the release does.
bool has_long_lengths(const VmcoreInfo& info) {
  auto release = info.value("OSRELEASE");
  if (!release) return true;
  unsigned major = 0, minor = 0;
  if (std::sscanf(release->c_str(), "%u.%u", &major, &minor) != 2) return true;
  return major > 6 || (major == 6 && minor >= 1);
}

// The compressed names, read chunk by chunk while walking num_syms entries (the region's
// end is not published), with each entry's offset.
struct Names {
  std::vector<uint8_t> bytes;
  std::vector<uint32_t> offsets;
};

Result<Names> read_names(const VirtualMemory& memory, uint64_t base, uint32_t count, bool long_lengths) {
  Names n;
  n.offsets.reserve(count);
  auto need = [&](uint64_t end) -> Result<void> {
    while (n.bytes.size() < end) {
      if (n.bytes.size() + kNamesChunk > kKallsymsMaxNamesBytes)
        return make_error(ErrorKind::Limit, {}, base,
                          fmt::format("kallsyms_names: more than {} bytes", kKallsymsMaxNamesBytes));
      // Whole chunks, or just what is needed where the region ends at unmapped memory.
      auto chunk = read_bytes(memory, base + n.bytes.size(), kNamesChunk);
      if (!chunk) chunk = read_bytes(memory, base + n.bytes.size(), end - n.bytes.size());
      if (!chunk) return std::move(chunk).error();
      n.bytes.insert(n.bytes.end(), chunk->begin(), chunk->end());
    }
    return ok();
  };
  uint64_t pos = 0;
  for (uint32_t i = 0; i < count; ++i) {
    VMCAP_CHECK(need(pos + 2));
    n.offsets.push_back(uint32_t(pos));
    uint64_t len = n.bytes[pos];
    uint64_t header = 1;
    if (long_lengths && (len & 0x80)) {
      len = (len & 0x7f) | uint64_t(n.bytes[pos + 1]) << 7;
      header = 2;
    }
    if (len == 0)  // every entry has at least the type letter
      return make_error(ErrorKind::Format, {}, base + pos,
                        fmt::format("kallsyms_names: symbol {} has no tokens", i));
    pos += header + len;
  }
  VMCAP_CHECK(need(pos));
  n.bytes.resize(pos);
  return n;
}

// CONFIG_KALLSYMS_ABSOLUTE_PERCPU (x86_64 SMP until 6.15) stores kernel addresses as
// negative values; a kernel without it never does, since its base is the lowest address.
uint64_t offset_address(int32_t v, uint64_t base, bool absolute_percpu) {
  if (!absolute_percpu) return base + uint32_t(v);
  return v >= 0 ? uint64_t(v) : base - 1 - int64_t(v);
}

Result<std::vector<uint64_t>> read_addresses(const VmcoreInfo& info, const VirtualMemory& memory,
                                             uint32_t count) {
  std::vector<uint64_t> addrs(count);
  if (auto abs = info.symbol("kallsyms_addresses")) {
    auto raw = VMCAP_TRY(read_bytes(memory, *abs, uint64_t(count) * 8));
    for (uint32_t i = 0; i < count; ++i) addrs[i] = le64(raw.data() + 8 * uint64_t(i));
    return addrs;
  }
  uint64_t offsets = VMCAP_TRY(info.require_symbol("kallsyms_offsets"));
  uint64_t base_addr = VMCAP_TRY(info.require_symbol("kallsyms_relative_base"));
  uint64_t base = VMCAP_TRY(read_u64(memory, base_addr));
  auto raw = VMCAP_TRY(read_bytes(memory, offsets, uint64_t(count) * 4));
  bool absolute_percpu = false;
  for (uint32_t i = 0; i < count && !absolute_percpu; ++i)
    absolute_percpu = int32_t(le32(raw.data() + 4 * uint64_t(i))) < 0;
  for (uint32_t i = 0; i < count; ++i)
    addrs[i] = offset_address(int32_t(le32(raw.data() + 4 * uint64_t(i))), base, absolute_percpu);
  return addrs;
}

}  // namespace

std::string SymbolHit::format() const {
  return fmt::format("{}+{:#x}/{:#x}", name, offset, size);
}

Result<Kallsyms> Kallsyms::load(const VmcoreInfo& info, const VirtualMemory& memory) {
  for (const char* sym : {"kallsyms_names", "kallsyms_num_syms", "kallsyms_token_table",
                          "kallsyms_token_index"})
    if (!info.symbol(sym))
      return make_error(ErrorKind::Missing, {}, std::nullopt,
                        fmt::format("VMCOREINFO has no SYMBOL({}): no kallsyms (kernels before 6.0)", sym));
  if (!info.symbol("kallsyms_addresses") && !info.symbol("kallsyms_offsets"))
    return make_error(ErrorKind::Missing, {}, std::nullopt,
                      "VMCOREINFO has neither SYMBOL(kallsyms_offsets) nor SYMBOL(kallsyms_addresses)");

  uint64_t num_addr = *info.symbol("kallsyms_num_syms");
  auto num_raw = VMCAP_TRY(read_bytes(memory, num_addr, 4));
  uint32_t count = le32(num_raw.data());
  if (count == 0 || count > kKallsymsMaxSymbols)
    return make_error(ErrorKind::Limit, {}, num_addr,
                      fmt::format("kallsyms_num_syms {} is outside 1..{}", count, kKallsymsMaxSymbols));

  Kallsyms k;
  auto index_raw = VMCAP_TRY(read_bytes(memory, *info.symbol("kallsyms_token_index"), 512));
  k.token_index_.resize(256);
  uint64_t table_end = 0;
  for (size_t i = 0; i < 256; ++i) {
    k.token_index_[i] = le16(index_raw.data() + 2 * i);
    table_end = std::max<uint64_t>(table_end, k.token_index_[i]);
  }
  // The table ends with the NUL of the token that starts last; tokens are short.
  uint64_t table_addr = *info.symbol("kallsyms_token_table");
  uint64_t table_read = std::min(table_end + 256, kMaxTokenTableBytes);
  auto table = VMCAP_TRY(read_bytes(memory, table_addr, table_read));
  auto nul = std::find(table.begin() + std::min<uint64_t>(table_end, table.size()), table.end(), 0);
  if (nul == table.end())
    return make_error(ErrorKind::Format, {}, table_addr, "kallsyms_token_table: last token has no NUL");
  k.token_table_.assign(table.begin(), nul + 1);

  k.long_lengths_ = has_long_lengths(info);
  auto names = VMCAP_TRY(read_names(memory, *info.symbol("kallsyms_names"), count, k.long_lengths_));
  k.names_ = std::move(names.bytes);
  k.name_offsets_ = std::move(names.offsets);

  k.addresses_ = VMCAP_TRY(read_addresses(info, memory, count));
  if (!std::is_sorted(k.addresses_.begin(), k.addresses_.end()))
    return make_error(ErrorKind::Format, {}, info.symbol("kallsyms_offsets"),
                      "kallsyms addresses are not sorted: not a kallsyms table this vmcap understands");
  return k;
}

std::string Kallsyms::decode(size_t index) const {
  std::string out;
  if (index >= name_offsets_.size()) return out;
  size_t pos = name_offsets_[index];
  size_t len = names_[pos++];
  if (long_lengths_ && (len & 0x80)) len = (len & 0x7f) | size_t(names_[pos++]) << 7;
  // load() checked that every entry lies inside names_; tokens are NUL-bounded.
  for (size_t i = 0; i < len && pos + i < names_.size(); ++i) {
    const char* tok = token_table_.data() + token_index_[names_[pos + i]];
    out.append(tok, strnlen(tok, token_table_.data() + token_table_.size() - tok));
  }
  return out;
}

std::string Kallsyms::name(size_t index) const {
  std::string s = decode(index);
  return s.empty() ? s : s.substr(1);
}

char Kallsyms::type(size_t index) const {
  std::string s = decode(index);
  return s.empty() ? '?' : s[0];
}

std::optional<SymbolHit> Kallsyms::lookup(uint64_t addr) const {
  auto above = std::upper_bound(addresses_.begin(), addresses_.end(), addr);
  if (above == addresses_.begin() || above == addresses_.end()) return std::nullopt;
  uint64_t start = *(above - 1);
  // The kernel's get_symbol_pos: the first of the symbols sharing that address.
  size_t index = std::lower_bound(addresses_.begin(), above, start) - addresses_.begin();
  uint64_t size = *above - start;
  if (size > kMaxSymbolGap) return std::nullopt;
  std::string full = decode(index);
  if (full.empty()) return std::nullopt;
  return SymbolHit{full.substr(1), full[0], start, addr - start, size};
}

}  // namespace vmcap
