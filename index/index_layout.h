// Where the crash index lives on a destination (docs/index.md): one small JSON entry per
// capture, under its crash signature's hash,
//   <prefix>/index/<signature hash>/<capture directory>.json
// and under index/unknown/ for captures without a signature (no log, no VMCOREINFO).
// Keys are read back from listings written by other machines: anything not of this form
// is not ours.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace vmcap::index {

inline constexpr const char* kIndexFolder = "index";
inline constexpr const char* kUnknownSignature = "unknown";
inline constexpr const char* kEntrySuffix = ".json";

// 16 lower-case hex digits, what capture/signature's hash is.
bool is_signature_hash(std::string_view s);

// "<host>-YYYYmmddTHHMMSSZ-<8 hex>" as capture_directory() makes it (host: [A-Za-z0-9._-]).
bool is_capture_directory(std::string_view s);

// The UTC time in a capture directory's name, seconds since the epoch.
std::optional<int64_t> capture_directory_time(std::string_view directory);

// "index/<hash>", or "index/unknown" when `hash` is not a signature hash.
std::string index_folder(const std::string& hash);

// "index/<hash>/<directory>.json".
std::string index_key(const std::string& hash, const std::string& directory);

struct IndexKey {
  std::string signature;  // a hash, or "unknown"
  std::string directory;
};

// The signature and capture directory of an entry's key; nothing for a key of any other
// form (another folder, another name, another depth).
std::optional<IndexKey> parse_index_key(std::string_view key);

}  // namespace vmcap::index
