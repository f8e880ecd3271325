// Reads /etc/vmcap.conf (format: docs/config.md). The parser never stops at the first
// problem: it reports every one, with its line, and still returns what did parse, so a
// capture can go on with a partly broken file (see capture_config.h).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "capture/config/config.h"
#include "elf/result.h"

namespace vmcap::config {

struct Problem {
  int line = 0;             // 1-based; 0 when about the whole file
  std::string destination;  // the section it is in, if any
  std::string message;
};

struct ParsedConfig {
  // Global keys that parsed keep their values (the rest stay at the defaults);
  // `destinations` holds only destinations without any problem, in the order to try.
  Config config;
  std::vector<Problem> problems;
  bool ok() const { return problems.empty(); }
};

// `file` names the text in messages. Secret and key files named by the text are read
// and checked (mode 0600 or stricter) here.
ParsedConfig parse_config(std::string_view text, const std::string& file);

// The file, or an Io error when it cannot be read at all.
Result<ParsedConfig> load_config(const std::string& path);

// "FILE:LINE: [destination NAME] MESSAGE"
std::string format_problem(const std::string& file, const Problem& problem);

}  // namespace vmcap::config
