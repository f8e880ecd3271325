// Reading archives back with Debian's own tools (cpio, zstd): the oracles of the
// initramfs tests. Commands run through /bin/sh with their output captured.
#pragma once

#include <string>
#include <vector>

namespace vmcap::testing {

struct CommandResult {
  int status = -1;  // exit status; -1 when it did not exit normally
  std::string output;  // stdout and stderr together
};

CommandResult run_command(const std::string& command);

// 'a b' -> "'a b'" for the shell.
std::string shell_quoted(const std::string& s);

std::string read_whole_file(const std::string& path);
void write_whole_file(const std::string& path, const std::string& bytes, unsigned mode = 0644);

// `cpio -t` of an uncompressed archive: its names in archive order.
std::vector<std::string> cpio_names(const std::string& archive);

}  // namespace vmcap::testing
