// Real servers for upload tests, started by the tests on 127.0.0.1 in a temp dir and
// stopped with them: Debian's nginx (WebDAV PUT, canned S3 answers, 500s), OpenSSH's
// sshd (SFTP) and an S3-compatible server that checks every SigV4 signature
// (tests/upload/s3server). A missing server is a test failure, never a skip.
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

// tests/upload/s3server/serve.js (@20minutes/s3rver) under node, installed by
// tests/upload/s3server/install.sh into $VMCAP_TEST_S3SERVER (CTest fixture s3server).
// One account with the given keys; every request must carry a valid SigV4 signature.
class S3Server {
 public:
  S3Server(const std::string& dir, const std::string& access_key, const std::string& secret_key,
           const std::string& bucket);
  ~S3Server();
  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // One line per request, "METHOD URL STATUS [S3 error code]", in the order answered.
  std::vector<std::string> requests() const;
  // An object's bytes through a signed GET (path style); throws unless the answer is 200.
  std::string get(const std::string& key) const;

 private:
  std::string dir_, access_key_, secret_key_, bucket_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace vmcap::testing
