// What the `vmcap capture` tests share: the real vmcores, the capture directory a run
// left on a destination, its manifest, and the check that every artifact the manifest
// lists is there with the size and sha256 it gives.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "capture/upload/sha256.h"
#include "tests/upload/local_servers.h"

namespace vmcap::testing {

// The capture directory a run announced on its console ("..., capture DIR"), or "missing"
// with a test failure.
inline std::string announced_directory(const std::string& console) {
  std::smatch m;
  if (!std::regex_search(console, m, std::regex(R"(, capture ([A-Za-z0-9._-]+-[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}))"))) {
    ADD_FAILURE() << "no capture directory on the console:\n" << console;
    return "missing";
  }
  return m[1];
}

inline std::filesystem::path vmcore(const std::string& kernel) {
  const char* env = std::getenv("VMCAP_TEST_VMCORES");
  return (env ? std::filesystem::path(env) : std::filesystem::path("test-vmcores")) / kernel / "kdump.vmcore";
}

// The one capture directory under `root` (capture_layout.h's name).
inline std::filesystem::path only_capture_dir(const std::filesystem::path& root) {
  std::vector<std::filesystem::path> dirs;
  if (std::filesystem::exists(root))
    for (const auto& e : std::filesystem::directory_iterator(root))
      if (e.is_directory() && e.path().filename() != "index") dirs.push_back(e.path());  // index/: the crash index
  if (dirs.size() != 1) {
    ADD_FAILURE() << dirs.size() << " capture directories under " << root;
    return root / "missing";
  }
  return dirs[0];
}

inline nlohmann::json manifest_in(const std::filesystem::path& dir) {
  return nlohmann::json::parse(read_file((dir / "manifest.json").string()));
}

// Every artifact the manifest says went to `destination` is in `dir` with the size and
// sha256 the manifest gives, and those are exactly `names`, in order.
inline void expect_artifacts_match(const nlohmann::json& m, const std::filesystem::path& dir,
                                   const std::string& destination, const std::vector<std::string>& names) {
  std::vector<std::string> seen;
  for (const auto& a : m["artifacts"]) {
    if (a["destination"] != destination) continue;
    std::string name = a["name"];
    seen.push_back(name);
    std::string bytes = read_file((dir / name).string());
    EXPECT_EQ(a["size"].get<uint64_t>(), bytes.size()) << name;
    EXPECT_EQ(a["sha256"].get<std::string>(), upload::sha256_hex(bytes)) << name;
  }
  EXPECT_EQ(seen, names);
}

// The manifest's entry for destination `name`.
inline nlohmann::json destination_in(const nlohmann::json& m, const std::string& name) {
  for (const auto& d : m["destinations"])
    if (d["name"] == name) return d;
  ADD_FAILURE() << "no destination " << name << " in the manifest";
  return nlohmann::json::object();
}

}  // namespace vmcap::testing
