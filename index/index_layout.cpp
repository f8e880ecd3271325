#include "index/index_layout.h"

#include <cctype>
#include <ctime>

namespace vmcap::index {

namespace {

bool hex_lower(char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); }
bool digit(char c) { return c >= '0' && c <= '9'; }
bool host_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' || c == '_';
}

// "-YYYYmmddTHHMMSSZ-xxxxxxxx" is the last 26 characters.
constexpr size_t kTailSize = 26;

}  // namespace

bool is_signature_hash(std::string_view s) {
  if (s.size() != 16) return false;
  for (char c : s)
    if (!hex_lower(c)) return false;
  return true;
}

bool is_capture_directory(std::string_view s) {
  if (s.size() <= kTailSize || s.size() > 255) return false;
  const std::string_view host = s.substr(0, s.size() - kTailSize), tail = s.substr(s.size() - kTailSize);
  for (char c : host)
    if (!host_char(c)) return false;
  if (host == "." || host == "..") return false;
  if (tail[0] != '-' || tail[9] != 'T' || tail[16] != 'Z' || tail[17] != '-') return false;
  for (size_t i = 1; i < 9; ++i)
    if (!digit(tail[i])) return false;
  for (size_t i = 10; i < 16; ++i)
    if (!digit(tail[i])) return false;
  for (size_t i = 18; i < kTailSize; ++i)
    if (!hex_lower(tail[i])) return false;
  return true;
}

std::optional<int64_t> capture_directory_time(std::string_view d) {
  if (!is_capture_directory(d)) return std::nullopt;
  const std::string_view t = d.substr(d.size() - kTailSize + 1, 15);  // YYYYmmddTHHMMSS
  auto num = [&](size_t at, size_t n) {
    int v = 0;
    for (size_t i = at; i < at + n; ++i) v = v * 10 + (t[i] - '0');
    return v;
  };
  std::tm tm{};
  tm.tm_year = num(0, 4) - 1900;
  tm.tm_mon = num(4, 2) - 1;
  tm.tm_mday = num(6, 2);
  tm.tm_hour = num(9, 2);
  tm.tm_min = num(11, 2);
  tm.tm_sec = num(13, 2);
  if (tm.tm_mon > 11 || tm.tm_mday < 1 || tm.tm_mday > 31 || tm.tm_hour > 23 || tm.tm_min > 59 || tm.tm_sec > 60)
    return std::nullopt;
  return static_cast<int64_t>(::timegm(&tm));
}

std::string index_folder(const std::string& hash) {
  return std::string(kIndexFolder) + "/" + (is_signature_hash(hash) ? hash : kUnknownSignature);
}

std::string index_key(const std::string& hash, const std::string& directory) {
  return index_folder(hash) + "/" + directory + kEntrySuffix;
}

std::optional<IndexKey> parse_index_key(std::string_view key) {
  const std::string_view folder = kIndexFolder;
  if (key.size() <= folder.size() + 1 || key.substr(0, folder.size()) != folder || key[folder.size()] != '/')
    return std::nullopt;
  key.remove_prefix(folder.size() + 1);
  const size_t slash = key.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  const std::string_view signature = key.substr(0, slash);
  std::string_view name = key.substr(slash + 1);
  if (!is_signature_hash(signature) && signature != kUnknownSignature) return std::nullopt;
  const std::string_view suffix = kEntrySuffix;
  if (name.size() <= suffix.size() || name.substr(name.size() - suffix.size()) != suffix) return std::nullopt;
  name.remove_suffix(suffix.size());
  if (!is_capture_directory(name)) return std::nullopt;
  return IndexKey{std::string(signature), std::string(name)};
}

}  // namespace vmcap::index
