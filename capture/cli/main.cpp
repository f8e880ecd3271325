// vmcap's entry point: parses the command line and turns errors into exit statuses.
#include <cstdio>

#include <CLI/CLI.hpp>

int main(int argc, char** argv) {
  CLI::App app{"vmcap: save what a crashed Linux kernel leaves behind"};
  app.set_version_flag("--version", VMCAP_VERSION);
  app.require_subcommand(1);
  CLI11_PARSE(app, argc, argv);
  return 0;
}
