// What every test on the real test vmcores needs: where scripts/make-test-vmcore.sh put the
// dumps (VMCAP_TEST_VMCORES), which tags it made (VMCAP_TEST_VMCORE_TAGS, a compile
// definition of each suite because test discovery runs without the environment), a guest
// report's KEY=value pairs, a file's bytes, and a GoogleTest name per tag. Header-only: the
// tag list differs per suite.
#pragma once

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#ifndef VMCAP_TEST_VMCORE_TAGS
#define VMCAP_TEST_VMCORE_TAGS "5.10 6.1 6.12"
#endif

namespace vmcap::testing {

inline std::filesystem::path test_vmcores_dir() {
  const char* env = std::getenv("VMCAP_TEST_VMCORES");
  return env && *env ? std::filesystem::path(env) : std::filesystem::path("test-vmcores");
}

// True when the qemu fixture ran (it sets VMCAP_TEST_VMCORES for the suites that need it).
inline bool test_vmcores_configured() {
  const char* env = std::getenv("VMCAP_TEST_VMCORES");
  return env && *env;
}

// $VMCAP_TEST_VMCORES/TAG/FILE.
inline std::string test_vmcore_file(const std::string& tag, const std::string& file = "kdump.vmcore") {
  return (test_vmcores_dir() / tag / file).string();
}

inline std::string read_whole_file(const std::filesystem::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

// plain_only: only the plain kernels (5.10, 6.1, 6.12), not their scenarios.
inline std::vector<std::string> test_vmcore_tags(bool plain_only = false) {
  std::istringstream in(VMCAP_TEST_VMCORE_TAGS);
  std::vector<std::string> t;
  for (std::string s; in >> s;)
    if (!plain_only || s.find('-') == std::string::npos) t.push_back(s);
  return t;
}

inline bool has_test_vmcore_tag(const std::string& tag) {
  for (const auto& t : test_vmcore_tags())
    if (t == tag) return true;
  return false;
}

// A guest report (TAG/qemu.report, kdump.report, ...): KEY=value lines. Empty if missing.
inline std::map<std::string, std::string> read_report(const std::filesystem::path& p) {
  std::map<std::string, std::string> kv;
  std::ifstream in(p);
  for (std::string line; std::getline(in, line);) {
    size_t eq = line.find('=');
    if (eq != std::string::npos) kv[line.substr(0, eq)] = line.substr(eq + 1);
  }
  return kv;
}

inline std::optional<std::string> report_value(const std::filesystem::path& p, const std::string& key) {
  auto kv = read_report(p);
  auto it = kv.find(key);
  if (it == kv.end()) return std::nullopt;
  return it->second;
}

// "6.1-smp2" -> "6_1_smp2": GoogleTest parameter names allow only alphanumerics and '_'.
struct TagName {
  template <class Info>
  std::string operator()(const Info& info) const {
    std::string n = info.param;
    for (auto& c : n)
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    return n;
  }
};

}  // namespace vmcap::testing
