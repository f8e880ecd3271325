#include "tests/signature/real_vmcores.h"

#include <cstdlib>
#include <fstream>
#include <sstream>

#include "elf/open_dump.h"

#ifndef VMCAP_TEST_VMCORE_TAGS
#define VMCAP_TEST_VMCORE_TAGS "5.10 6.1 6.12"
#endif

namespace vmcap::test {

std::vector<std::string> plain_tags() {
  std::vector<std::string> out;
  std::istringstream in(VMCAP_TEST_VMCORE_TAGS);
  for (std::string t; in >> t;)
    if (t == "5.10" || t == "6.1" || t == "6.12") out.push_back(t);
  return out;
}

std::string vmcore_path(const std::string& tag, const std::string& file) {
  const char* dir = std::getenv("VMCAP_TEST_VMCORES");
  return std::string(dir ? dir : "test-vmcores") + "/" + tag + "/" + file;
}

std::optional<std::string> report_value(const std::string& report_path, const std::string& key) {
  std::ifstream in(report_path);
  for (std::string line; std::getline(in, line);)
    if (line.rfind(key + "=", 0) == 0) return line.substr(key.size() + 1);
  return std::nullopt;
}

std::optional<OpenedVmcore> open_vmcore(const std::string& path, std::string& error) {
  auto dump = open_dump(path);
  if (!dump) {
    error = dump.error().message();
    return std::nullopt;
  }
  auto view = open_kernel_view(**dump);
  if (!view) {
    error = view.error().message();
    return std::nullopt;
  }
  return OpenedVmcore{std::move(*dump), std::move(*view)};
}

}  // namespace vmcap::test
