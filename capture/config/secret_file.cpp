#include "capture/config/secret_file.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

namespace vmcap::config {

Parsed<bool> check_private_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0)
    return Parsed<bool>::fail(path + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return Parsed<bool>::fail(path + ": not a regular file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return Parsed<bool>::fail(path + ": mode " + mode +
                              " lets others read a secret; must be 0600 or stricter");
  }
  if (::access(path.c_str(), R_OK) != 0)
    return Parsed<bool>::fail(path + ": " + std::strerror(errno));
  return Parsed<bool>::ok(true);
}

Parsed<std::string> read_secret_file(const std::string& path) {
  auto priv = check_private_file(path);
  if (!priv.value) return Parsed<std::string>::fail(priv.error);
  std::ifstream in(path, std::ios::binary);
  std::ostringstream buf;
  buf << in.rdbuf();
  if (!in && !in.eof()) return Parsed<std::string>::fail(path + ": cannot read");
  std::string value = buf.str();
  while (!value.empty() && (value.back() == '\n' || value.back() == '\r')) value.pop_back();
  if (value.empty()) return Parsed<std::string>::fail(path + ": empty secret");
  if (value.find('\n') != std::string::npos)
    return Parsed<std::string>::fail(path + ": a secret is one line");
  return Parsed<std::string>::ok(std::move(value));
}

Parsed<bool> check_readable_file(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || ::access(path.c_str(), R_OK) != 0)
    return Parsed<bool>::fail(path + ": " + std::strerror(errno));
  if (!S_ISREG(st.st_mode)) return Parsed<bool>::fail(path + ": not a regular file");
  return Parsed<bool>::ok(true);
}

}  // namespace vmcap::config
