// Real servers for upload tests, started by the tests on 127.0.0.1 in a temp dir and
// stopped with them: Debian's nginx (WebDAV PUT, canned S3 answers, 500s) and OpenSSH's
// sshd (SFTP). A missing server binary is a test failure, never a skip.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace vmcap::testing {

// A port on 127.0.0.1 that nothing listened on a moment ago.
int free_port();

// Runs `argv` (no shell), output to `log`; returns the pid.
pid_t spawn(const std::vector<std::string>& argv, const std::string& log);

// Runs a command to completion; throws on failure.
void run_or_throw(const std::vector<std::string>& argv);

std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text, int mode = 0644);

class NginxServer {
 public:
  // `server_body`: directives inside `server { listen ...; root DIR/root; ... }`;
  // "@DIR@" in it becomes the server's directory. The access log (DIR/access.log) has
  // one line per request: method, uri, status, Authorization, x-amz-content-sha256.
  NginxServer(const std::string& dir, const std::string& server_body);
  ~NginxServer();
  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  std::string root() const { return dir_ + "/root"; }
  std::string access_log() const;  // flushed by nginx per request

 private:
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

class SshdServer {
 public:
  // A user's key (DIR/client_key) authorized for the current user; host key DIR/host_key.
  explicit SshdServer(const std::string& dir);
  ~SshdServer();
  int port() const { return port_; }
  std::string client_key() const { return dir_ + "/client_key"; }
  // A known_hosts file with this server's key, or (wrong = true) another key.
  std::string known_hosts(bool wrong) const;
  std::string user() const;

 private:
  std::string dir_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace vmcap::testing
