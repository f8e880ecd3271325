// Secrets (tokens, passwords, keys) live in their own files, readable by their owner
// only: a secret that others can read is refused, since anyone on the machine has it.
#pragma once

#include <string>

#include "capture/config/value_parsers.h"

namespace vmcap::config {

// The file's contents without the trailing newline(s), if it is a regular file with no
// group or other permission bits (mode 0600, 0400 or stricter).
Parsed<std::string> read_secret_file(const std::string& path);

// Only that the file is private (for private keys, which libcurl/libssh2 read themselves).
Parsed<bool> check_private_file(const std::string& path);

// That a non-secret file (CA bundle, known_hosts) exists and is readable.
Parsed<bool> check_readable_file(const std::string& path);

}  // namespace vmcap::config
