#include "capture/kernel/vmcoreinfo.h"

#include <charconv>

#include <fmt/format.h>

namespace vmcap {
namespace {

// Bound on what we accept: real VMCOREINFO is ~4 KiB and ~110 keys.
constexpr size_t kMaxLines = 65536;

template <class T>
bool parse_int(std::string_view s, int base, T& out) {
  if (base == 16 && (s.starts_with("0x") || s.starts_with("0X"))) s.remove_prefix(2);
  if (s.empty()) return false;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), out, base);
  return ec == std::errc() && p == s.data() + s.size();
}

// "SYMBOL(prb)" -> ("SYMBOL", "prb"); plain keys give an empty kind.
std::pair<std::string_view, std::string_view> split_key(std::string_view key) {
  auto open = key.find('(');
  if (open == std::string_view::npos || key.back() != ')') return {{}, key};
  return {key.substr(0, open), key.substr(open + 1, key.size() - open - 2)};
}

template <class Map>
auto lookup(const Map& m, std::string_view k) -> std::optional<typename Map::mapped_type> {
  auto it = m.find(k);
  if (it == m.end()) return std::nullopt;
  return it->second;
}

}  // namespace

Result<VmcoreInfo> VmcoreInfo::parse(std::string_view text, const std::string& source) {
  VmcoreInfo info;
  size_t pos = 0, lines = 0;
  while (pos < text.size()) {
    if (++lines > kMaxLines)
      return make_error(ErrorKind::Limit, source, std::nullopt,
                        fmt::format("VMCOREINFO has more than {} lines", kMaxLines));
    size_t nl = text.find('\n', pos);
    if (nl == std::string_view::npos) nl = text.size();
    std::string_view line = text.substr(pos, nl - pos);
    pos = nl + 1;
    // The note text is NUL-padded; a NUL ends the useful text.
    if (auto z = line.find('\0'); z != std::string_view::npos) {
      line = line.substr(0, z);
      pos = text.size();
    }
    if (line.empty()) continue;
    auto eq = line.find('=');
    if (eq == std::string_view::npos || eq == 0) {
      info.malformed_.emplace_back(line);
      continue;
    }
    std::string_view key = line.substr(0, eq), val = line.substr(eq + 1);
    info.entries_.emplace_back(std::string(key), std::string(val));
    auto [kind, name] = split_key(key);
    auto bad = [&](const char* what) {
      return make_error(ErrorKind::Format, source, std::nullopt,
                        fmt::format("VMCOREINFO line '{}': {} expected", line, what));
    };
    if (kind.empty()) {
      info.plain_[std::string(key)] = std::string(val);
    } else if (kind == "SYMBOL") {
      uint64_t v;
      if (!parse_int(val, 16, v)) return bad("hexadecimal address");
      info.symbols_[std::string(name)] = v;
    } else if (kind == "NUMBER") {
      int64_t v;
      uint64_t u;
      // Signed in the kernel, but a few are printed unsigned beyond INT64_MAX, and 6.x
      // prints some in hex (NUMBER(VMALLOC_START)=0xffffc90000000000).
      if (parse_int(val, 10, v)) info.numbers_[std::string(name)] = v;
      else if (parse_int(val, 10, u)) info.numbers_[std::string(name)] = static_cast<int64_t>(u);
      else if ((val.starts_with("0x") || val.starts_with("0X")) && parse_int(val, 16, u))
        info.numbers_[std::string(name)] = static_cast<int64_t>(u);
      else return bad("decimal number");
    } else if (kind == "OFFSET" || kind == "SIZE" || kind == "LENGTH") {
      uint64_t v;
      if (!parse_int(val, 10, v)) return bad("decimal number");
      auto& m = kind == "OFFSET" ? info.offsets_ : kind == "SIZE" ? info.sizes_ : info.lengths_;
      m[std::string(name)] = v;
    } else {
      info.plain_[std::string(key)] = std::string(val);
    }
  }
  return info;
}

std::optional<std::string> VmcoreInfo::value(std::string_view key) const { return lookup(plain_, key); }
std::optional<uint64_t> VmcoreInfo::symbol(std::string_view n) const { return lookup(symbols_, n); }
std::optional<uint64_t> VmcoreInfo::offset(std::string_view n) const { return lookup(offsets_, n); }
std::optional<uint64_t> VmcoreInfo::size(std::string_view n) const { return lookup(sizes_, n); }
std::optional<uint64_t> VmcoreInfo::length(std::string_view n) const { return lookup(lengths_, n); }
std::optional<int64_t> VmcoreInfo::number(std::string_view n) const { return lookup(numbers_, n); }

namespace {
template <class T>
Result<T> require(std::optional<T> v, const char* kind, std::string_view name) {
  if (v) return *v;
  return make_error(ErrorKind::Missing, {}, std::nullopt,
                    fmt::format("VMCOREINFO has no {}({})", kind, name));
}
}  // namespace

Result<uint64_t> VmcoreInfo::require_symbol(std::string_view n) const { return require(symbol(n), "SYMBOL", n); }
Result<uint64_t> VmcoreInfo::require_offset(std::string_view n) const { return require(offset(n), "OFFSET", n); }
Result<uint64_t> VmcoreInfo::require_size(std::string_view n) const { return require(size(n), "SIZE", n); }
Result<int64_t> VmcoreInfo::require_number(std::string_view n) const { return require(number(n), "NUMBER", n); }

std::optional<uint64_t> VmcoreInfo::page_size() const {
  uint64_t v;
  auto s = value("PAGESIZE");
  if (s && parse_int(std::string_view(*s), 10, v)) return v;
  return std::nullopt;
}

std::optional<int64_t> VmcoreInfo::crash_time() const {
  int64_t v;
  auto s = value("CRASHTIME");
  if (s && parse_int(std::string_view(*s), 10, v)) return v;
  return std::nullopt;
}

std::optional<uint64_t> VmcoreInfo::kernel_offset() const {
  uint64_t v;
  auto s = value("KERNELOFFSET");
  if (s && parse_int(std::string_view(*s), 16, v)) return v;
  return std::nullopt;
}

std::optional<KernelVersion> VmcoreInfo::release_version() const {
  auto s = value("OSRELEASE");
  if (!s) return std::nullopt;
  std::string_view rel(*s);
  KernelVersion v;
  auto [dot, ec] = std::from_chars(rel.data(), rel.data() + rel.size(), v.major);
  if (ec != std::errc() || dot == rel.data() + rel.size() || *dot != '.') return std::nullopt;
  auto [end, ec2] = std::from_chars(dot + 1, rel.data() + rel.size(), v.minor);
  if (ec2 != std::errc() || end == dot + 1) return std::nullopt;
  return v;
}

bool VmcoreInfo::has(std::string_view full_key) const {
  for (const auto& [k, v] : entries_)
    if (k == full_key) return true;
  return false;
}

}  // namespace vmcap
