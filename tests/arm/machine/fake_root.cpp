#include "tests/arm/machine/fake_root.h"

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace vmcap::testing {

void FakeRoot::put(const std::string& path, std::string_view text, unsigned mode) const {
  const fs::path p = fs::path(root()) / fs::path(path).relative_path();
  fs::create_directories(p.parent_path());
  std::ofstream f(p, std::ios::binary | std::ios::trunc);
  f.write(text.data(), static_cast<std::streamsize>(text.size()));
  if (!f) throw std::runtime_error("cannot write " + p.string());
  f.close();
  ::chmod(p.c_str(), mode);
}

void FakeRoot::link(const std::string& path, const std::string& target) const {
  const fs::path p = fs::path(root()) / fs::path(path).relative_path();
  fs::create_directories(p.parent_path());
  fs::create_symlink(target, p);
}

void FakeRoot::mkdir(const std::string& path) const {
  fs::create_directories(fs::path(root()) / fs::path(path).relative_path());
}

}  // namespace vmcap::testing
