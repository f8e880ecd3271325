#include "initramfs/root_path.h"

namespace vmcap::initramfs {

std::string under_root(const std::string& root, std::string_view abs_path) {
  std::string r = root.empty() ? "/" : root;
  while (r.size() > 1 && r.back() == '/') r.pop_back();
  while (!abs_path.empty() && abs_path.front() == '/') abs_path.remove_prefix(1);
  if (r == "/") return "/" + std::string(abs_path);
  return r + "/" + std::string(abs_path);
}

}  // namespace vmcap::initramfs
