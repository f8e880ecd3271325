// Fuzz target: the input is /etc/vmcap.conf text. parse_config reports every problem with a
// line inside the text and keeps only problem-free destinations; check-config on the same
// text (written to a file, as vmcap reads it) agrees with the parse: status 0 exactly when
// there is no problem, and the capture's fallback config carries the same problems.
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>

#include "capture/config/capture_config.h"
#include "capture/config/check_config.h"
#include "capture/config/config_parser.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace vmcap::config;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const ParsedConfig p = parse_config(text, "fuzz.conf");
  const int lines = static_cast<int>(std::count(text.begin(), text.end(), '\n')) + 1;
  for (const Problem& pr : p.problems) {
    if (pr.line < 0 || pr.line > lines) __builtin_trap();  // a line the file has
    if (pr.message.empty()) __builtin_trap();
  }
  std::set<std::string> names;
  for (const Destination& d : p.config.destinations)
    if (d.name.empty() || !names.insert(d.name).second) __builtin_trap();  // unique, named

  // The same text through the file-reading paths.
  // In memory when /dev/shm exists: a file write per input is most of the cost.
  static const std::string path = std::string(::access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp") +
                                  "/vmcap-fuzz-config-" + std::to_string(::getpid()) + ".conf";
  static const struct Cleanup {
    ~Cleanup() { ::unlink(path.c_str()); }
  } cleanup;
  {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    f.write(text.data(), static_cast<std::streamsize>(text.size()));
  }
  std::ostringstream out;
  const int status = run_check_config(path, out);
  if ((status == 0) != p.ok()) __builtin_trap();
  if (out.str().empty()) __builtin_trap();
  const CaptureConfig c = load_config_for_capture(path);
  if (c.problems.size() != p.problems.size()) __builtin_trap();
  if (c.config.destinations.size() != p.config.destinations.size()) __builtin_trap();
  return 0;
}
