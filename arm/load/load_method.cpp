#include "arm/load/load_method.h"

#include <sys/utsname.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>

#include "arm/machine/machine_files.h"

namespace vmcap::arm {
namespace {

std::string on_path(const std::string& name) {
  if (name.empty()) return "";
  if (name.find('/') != std::string::npos) return ::access(name.c_str(), X_OK) == 0 ? name : "";
  const char* env = std::getenv("PATH");
  const std::string dirs = std::string(env ? env : "") + ":/usr/sbin:/sbin";
  for (size_t at = 0; at < dirs.size();) {
    size_t end = dirs.find(':', at);
    if (end == std::string::npos) end = dirs.size();
    if (end > at) {
      std::string candidate = dirs.substr(at, end - at) + "/" + name;
      if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    }
    at = end + 1;
  }
  return "";
}

}  // namespace

std::string LoadMethodChoice::text() const {
  const std::string tool_text = !tool.empty()       ? "kexec-tools' " + tool
                                : kexec_tool.empty() ? std::string("no kexec program (none wanted)")
                                                     : "no " + kexec_tool + " program installed (apt install kexec-tools)";
  if (kexec_file == true)
    return "kexec_file_load: the running kernel has it (CONFIG_KEXEC_FILE=y in " + config_file +
           "); the kernel reads the files and checks their signature itself";
  if (kexec_file == false)
    return "kexec -p: the running kernel is built without kexec_file_load (CONFIG_KEXEC_FILE is not set in " +
           config_file + ", as in Debian's arm64 kernels), so " + tool_text +
           " loads it with kexec_load; lockdown refuses that, and no signature is checked";
  return "kexec_file_load, else kexec -p when the kernel has none (no kernel config to tell which; " + tool_text + ")";
}

LoadMethodChoice choose_load_method(const std::string& root, const std::string& kexec_tool) {
  LoadMethodChoice c;
  c.kexec_tool = kexec_tool;
  c.tool = on_path(kexec_tool);
  struct utsname u {};
  ::uname(&u);
  const std::string config = under_root(root, std::string("/boot/config-") + u.release);
  std::ifstream in(config);
  if (!in) return c;
  c.config_file = config;
  c.kexec_file = false;
  int lines = 0;
  for (std::string line; std::getline(in, line) && lines < 100000; ++lines)
    if (line == "CONFIG_KEXEC_FILE=y") c.kexec_file = true;
  return c;
}

}  // namespace vmcap::arm
