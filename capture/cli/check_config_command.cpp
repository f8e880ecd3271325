// `vmcap check-config [FILE]`: every problem of a config file, with its line number.
#include <iostream>

#include "capture/cli/commands.h"
#include "capture/config/check_config.h"

namespace vmcap {

int run_check_config_command(const std::string& path) {
  return config::run_check_config(path, std::cout);
}

}  // namespace vmcap
