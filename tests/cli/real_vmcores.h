// What every real-vmcore CLI test needs: where scripts/make-test-vmcore.sh put the dumps
// (VMCAP_TEST_VMCORES), which tags it made (VMCAP_TEST_VMCORE_TAGS, compiled in because
// test discovery runs without the environment), a file's bytes, a test name per tag.
#pragma once

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace vmcap::testing {

inline std::filesystem::path test_vmcores_dir() {
  const char* env = std::getenv("VMCAP_TEST_VMCORES");
  return env ? std::filesystem::path(env) : std::filesystem::path("test-vmcores");
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
