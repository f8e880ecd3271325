// A run::Progress whose lines the test reads back (open_memstream): what a command printed.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string>

#include "capture/run/progress.h"

namespace vmcap::testing {

struct ProgressConsole {
  char* text = nullptr;
  size_t size = 0;
  std::FILE* f = ::open_memstream(&text, &size);
  run::Progress progress{f};
  ProgressConsole() = default;
  ProgressConsole(const ProgressConsole&) = delete;
  ProgressConsole& operator=(const ProgressConsole&) = delete;
  ~ProgressConsole() {
    std::fclose(f);
    std::free(text);
  }
  std::string str() {
    std::fflush(f);
    return std::string(text, size);
  }
};

}  // namespace vmcap::testing
