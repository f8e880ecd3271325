// Typed values of config lines: each parser returns the value or a message that says
// what was expected (the caller adds file and line).
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "capture/config/config.h"

namespace vmcap::config {

// A value or the reason it is not one.
template <class T>
struct Parsed {
  std::optional<T> value;
  std::string error;
  static Parsed ok(T v) { return Parsed{std::move(v), {}}; }
  static Parsed fail(std::string why) { return Parsed{std::nullopt, std::move(why)}; }
};

Parsed<long long> parse_integer(std::string_view text, long long min, long long max);
Parsed<bool> parse_bool(std::string_view text);  // yes/no, true/false, on/off, 1/0
// "90", "90s", "15m", "1h", "500ms"; a bare number is seconds.
Parsed<std::chrono::milliseconds> parse_duration(std::string_view text);
// "1048576", "512K", "16M", "1G" (binary units).
Parsed<uint64_t> parse_size(std::string_view text);
Parsed<FinalAction> parse_final_action(std::string_view text);
Parsed<Compression> parse_compression(std::string_view text);
Parsed<CoreFormat> parse_core_format(std::string_view text);  // flat, flat-zstd
// Why `level` is not a level of `c` ("out of range -7..19 for zstd"), or "" when it is: zstd -7..19 (the negative levels are
// zstd's fast ones), zlib 0..9, 0 the method's default; none takes no level at all. One rule
// for the config's compression_level and the command line's --level.
std::string compression_level_problem(Compression c, long long level);
Parsed<LogLevel> parse_log_level(std::string_view text);
Parsed<HttpMethod> parse_http_method(std::string_view text);
// "a, b c" -> {"a", "b", "c"} (commas and/or blanks separate).
std::vector<std::string> parse_name_list(std::string_view text);

// "10.0.2.15": four decimal octets 0..255, nothing else.
Parsed<Ipv4Address> parse_ipv4_address(std::string_view text);

std::string_view trim(std::string_view text);

}  // namespace vmcap::config
