// The layout on every destination (docs/config.md, "Layout"):
//   <prefix>/<host>-<UTC time>-<short id>/manifest.json, dmesg.txt, dmesg.json, vmcore.flat
#pragma once

#include <chrono>
#include <string>

namespace vmcap::upload {

inline constexpr const char* kManifestName = "manifest.json";
inline constexpr const char* kDmesgTextName = "dmesg.txt";
inline constexpr const char* kDmesgJsonName = "dmesg.json";
inline constexpr const char* kCoreName = "vmcore.flat";  // the writer's flattened core stream
// core_format = flat-zstd: that stream with raw pages in zstd frames and a seek table.
inline constexpr const char* kFlatZstdCoreName = "vmcore.flat.zst";

// "web-01-20240131T235959Z-1a2b3c4d": the host (characters outside [A-Za-z0-9._-]
// become '_'), the UTC time and 8 hex digits of `id` (random per capture).
std::string capture_directory(const std::string& host, std::chrono::system_clock::time_point time, uint32_t id);

// A random id for capture_directory.
uint32_t random_capture_id();

// Joins path pieces with '/', skipping empty ones ("a", "", "b" -> "a/b").
std::string join_path(const std::string& a, const std::string& b);

}  // namespace vmcap::upload
