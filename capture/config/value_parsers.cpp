#include "capture/config/value_parsers.h"

#include <cctype>
#include <charconv>

namespace vmcap::config {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

static std::string lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Digits then an optional unit suffix; no sign, no blanks inside.
static bool split_number(std::string_view text, uint64_t& number, std::string& unit) {
  size_t i = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) ++i;
  if (i == 0) return false;
  auto [p, ec] = std::from_chars(text.data(), text.data() + i, number);
  if (ec != std::errc() || p != text.data() + i) return false;
  unit = lower(text.substr(i));
  return true;
}

Parsed<long long> parse_integer(std::string_view text, long long min, long long max) {
  long long v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size())
    return Parsed<long long>::fail("expected an integer, got '" + std::string(text) + "'");
  if (v < min || v > max)
    return Parsed<long long>::fail(std::to_string(v) + " is out of range " + std::to_string(min) +
                                   ".." + std::to_string(max));
  return Parsed<long long>::ok(v);
}

Parsed<bool> parse_bool(std::string_view text) {
  std::string t = lower(text);
  if (t == "yes" || t == "true" || t == "on" || t == "1") return Parsed<bool>::ok(true);
  if (t == "no" || t == "false" || t == "off" || t == "0") return Parsed<bool>::ok(false);
  return Parsed<bool>::fail("expected yes or no, got '" + std::string(text) + "'");
}

Parsed<std::chrono::milliseconds> parse_duration(std::string_view text) {
  using R = Parsed<std::chrono::milliseconds>;
  uint64_t n = 0;
  std::string unit;
  if (!split_number(text, n, unit) || n > 1'000'000'000)
    return R::fail("expected a duration like 90s, 15m or 1h, got '" + std::string(text) + "'");
  uint64_t ms_per = 0;
  if (unit.empty() || unit == "s") ms_per = 1000;
  else if (unit == "ms") ms_per = 1;
  else if (unit == "m" || unit == "min") ms_per = 60'000;
  else if (unit == "h") ms_per = 3'600'000;
  else return R::fail("unknown duration unit '" + unit + "' (ms, s, m, h)");
  return R::ok(std::chrono::milliseconds(n * ms_per));
}

Parsed<uint64_t> parse_size(std::string_view text) {
  uint64_t n = 0;
  std::string unit;
  if (!split_number(text, n, unit) || n > (1ull << 40))
    return Parsed<uint64_t>::fail("expected a size like 16M, got '" + std::string(text) + "'");
  int shift = 0;
  if (unit.empty() || unit == "b") shift = 0;
  else if (unit == "k" || unit == "kib") shift = 10;
  else if (unit == "m" || unit == "mib") shift = 20;
  else if (unit == "g" || unit == "gib") shift = 30;
  else return Parsed<uint64_t>::fail("unknown size unit '" + unit + "' (K, M, G)");
  return Parsed<uint64_t>::ok(n << shift);
}

template <class E, size_t N>
static Parsed<E> parse_enum(std::string_view text, const std::pair<const char*, E> (&names)[N],
                            const char* what) {
  std::string t = lower(text);
  std::string all;
  for (const auto& [name, value] : names) {
    if (t == name) return Parsed<E>::ok(value);
    all += all.empty() ? name : std::string(", ") + name;
  }
  return Parsed<E>::fail(std::string("unknown ") + what + " '" + std::string(text) + "' (" + all + ")");
}

Parsed<FinalAction> parse_final_action(std::string_view text) {
  static const std::pair<const char*, FinalAction> names[] = {
      {"reboot", FinalAction::Reboot}, {"poweroff", FinalAction::Poweroff},
      {"halt", FinalAction::Halt},     {"shell", FinalAction::Shell},
      {"none", FinalAction::None}};
  return parse_enum(text, names, "action");
}

Parsed<Compression> parse_compression(std::string_view text) {
  static const std::pair<const char*, Compression> names[] = {
      {"zstd", Compression::Zstd}, {"zlib", Compression::Zlib}, {"none", Compression::None}};
  return parse_enum(text, names, "compression");
}

Parsed<CoreFormat> parse_core_format(std::string_view text) {
  static const std::pair<const char*, CoreFormat> names[] = {{"flat", CoreFormat::Flat},
                                                             {"flat-zstd", CoreFormat::FlatZstd}};
  return parse_enum(text, names, "core_format");
}

std::string compression_level_problem(Compression c, long long level) {
  if (c == Compression::None) return "compression is none: no level applies";
  const bool zlib = c == Compression::Zlib;
  const long long min = zlib ? 0 : -7, max = zlib ? 9 : 19;
  if (level >= min && level <= max) return "";
  return "out of range " + std::to_string(min) + ".." + std::to_string(max) + " for " + to_string(c);
}

Parsed<LogLevel> parse_log_level(std::string_view text) {
  static const std::pair<const char*, LogLevel> names[] = {{"error", LogLevel::Error},
                                                           {"warn", LogLevel::Warn},
                                                           {"info", LogLevel::Info},
                                                           {"debug", LogLevel::Debug}};
  return parse_enum(text, names, "log level");
}

Parsed<HttpMethod> parse_http_method(std::string_view text) {
  static const std::pair<const char*, HttpMethod> names[] = {
      {"put", HttpMethod::Put}, {"post-multipart", HttpMethod::PostMultipart}};
  return parse_enum(text, names, "method");
}

std::vector<std::string> parse_name_list(std::string_view text) {
  std::vector<std::string> out;
  std::string cur;
  for (char c : text) {
    if (c == ',' || std::isspace(static_cast<unsigned char>(c))) {
      if (!cur.empty()) out.push_back(std::move(cur));
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(std::move(cur));
  return out;
}

const char* to_string(FinalAction a) {
  switch (a) {
    case FinalAction::Reboot: return "reboot";
    case FinalAction::Poweroff: return "poweroff";
    case FinalAction::Halt: return "halt";
    case FinalAction::Shell: return "shell";
    case FinalAction::None: return "none";
  }
  return "?";
}
const char* to_string(Compression c) {
  switch (c) {
    case Compression::Zstd: return "zstd";
    case Compression::Zlib: return "zlib";
    case Compression::None: return "none";
  }
  return "?";
}
const char* to_string(LogLevel l) {
  switch (l) {
    case LogLevel::Error: return "error";
    case LogLevel::Warn: return "warn";
    case LogLevel::Info: return "info";
    case LogLevel::Debug: return "debug";
  }
  return "?";
}
const char* to_string(HttpMethod m) {
  return m == HttpMethod::Put ? "put" : "post-multipart";
}
const char* to_string(CoreDedupKey k) {
  return k == CoreDedupKey::Signature ? "signature" : "signature+build-id";
}
const char* to_string(CoreFormat f) {
  return f == CoreFormat::Flat ? "flat" : "flat-zstd";
}

const char* to_string(DestinationKind k) {
  switch (k) {
    case DestinationKind::File: return "file";
    case DestinationKind::Http: return "http";
    case DestinationKind::S3: return "s3";
    case DestinationKind::Sftp: return "sftp";
  }
  return "?";
}

Parsed<Ipv4Address> parse_ipv4_address(std::string_view text) {
  auto fail = [&] { return Parsed<Ipv4Address>::fail("'" + std::string(text) + "' is not an IPv4 address (A.B.C.D)"); };
  Ipv4Address a;
  size_t at = 0;
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      if (at >= text.size() || text[at] != '.') return fail();
      ++at;
    }
    size_t digits = 0;
    unsigned value = 0;
    while (at < text.size() && digits < 4 && text[at] >= '0' && text[at] <= '9') {
      value = value * 10 + static_cast<unsigned>(text[at] - '0');
      ++at, ++digits;
    }
    if (digits == 0 || digits > 3 || value > 255) return fail();
    a.octets[i] = static_cast<uint8_t>(value);
  }
  if (at != text.size()) return fail();
  return Parsed<Ipv4Address>::ok(a);
}

}  // namespace vmcap::config
