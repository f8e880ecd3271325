#include "tests/upload/local_servers.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <curl/curl.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace vmcap::testing {

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) throw std::runtime_error("bind");
  socklen_t len = sizeof a;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  ::close(fd);
  return ntohs(a.sin_port);
}

pid_t spawn(const std::vector<std::string>& argv, const std::string& log) {
  pid_t pid = ::fork();
  if (pid < 0) throw std::runtime_error("fork");
  if (pid == 0) {
    int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) {
      ::dup2(fd, 1);
      ::dup2(fd, 2);
    }
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  return pid;
}

void run_or_throw(const std::vector<std::string>& argv) {
  pid_t pid = spawn(argv, "/dev/null");
  int status = 0;
  ::waitpid(pid, &status, 0);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) throw std::runtime_error("failed: " + argv[0]);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& text, int mode) {
  std::ofstream(path, std::ios::binary) << text;
  ::chmod(path.c_str(), mode);
}

namespace {

// Waits until something accepts connections on the port (the server is up), or throws
// with the server's log when it exits first.
void wait_listening(int port, pid_t pid, const std::string& log) {
  for (int i = 0; i < 500; ++i) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid)
      throw std::runtime_error("server exited: " + read_file(log));
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<uint16_t>(port));
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    bool up = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    if (up) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  throw std::runtime_error("server did not start: " + read_file(log));
}

void stop(pid_t pid) {
  if (pid <= 0) return;
  ::kill(pid, SIGTERM);
  int status = 0;
  ::waitpid(pid, &status, 0);
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) s.replace(p, from.size(), to);
  return s;
}

const char* kNginx = "/usr/sbin/nginx";
const char* kSshd = "/usr/sbin/sshd";

}  // namespace

NginxServer::NginxServer(const std::string& dir, const std::string& server_body) : dir_(dir) {
  if (::access(kNginx, X_OK) != 0) throw std::runtime_error("nginx is not installed (Debian package nginx-light)");
  port_ = free_port();
  ::mkdir((dir_ + "/root").c_str(), 0755);
  ::mkdir((dir_ + "/tmp").c_str(), 0755);
  std::string conf =
      std::string(::geteuid() == 0 ? "user root;\n" : "") +
      "daemon off;\nmaster_process off;\nworker_processes 1;\npid @DIR@/nginx.pid;\n"
      "error_log @DIR@/error.log info;\nevents { worker_connections 64; }\n"
      "http {\n"
      "  client_body_temp_path @DIR@/tmp; proxy_temp_path @DIR@/tmp; fastcgi_temp_path @DIR@/tmp;\n"
      "  uwsgi_temp_path @DIR@/tmp; scgi_temp_path @DIR@/tmp;\n"
      "  log_format rec '$request_method $request_uri $status auth=[$http_authorization] "
      "sha=[$http_x_amz_content_sha256] len=$request_length';\n"
      "  access_log @DIR@/access.log rec;\n"
      "  client_max_body_size 0;\n"
      "  server {\n    listen 127.0.0.1:" + std::to_string(port_) + ";\n    root @DIR@/root;\n" +
      server_body + "\n  }\n}\n";
  write_file(dir_ + "/nginx.conf", replace_all(conf, "@DIR@", dir_));
  pid_ = spawn({kNginx, "-p", dir_, "-c", dir_ + "/nginx.conf", "-e", dir_ + "/error.log"}, dir_ + "/stderr.log");
  wait_listening(port_, pid_, dir_ + "/stderr.log");
}

NginxServer::~NginxServer() { stop(pid_); }

// nginx logs a request after answering it: read until the log stops changing.
std::string NginxServer::access_log() const {
  std::string last = read_file(dir_ + "/access.log");
  for (int i = 0; i < 50; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::string now = read_file(dir_ + "/access.log");
    if (now == last) return now;
    last = now;
  }
  return last;
}

std::string SshdServer::user() const {
  passwd* pw = ::getpwuid(::geteuid());
  return pw ? pw->pw_name : "root";
}

SshdServer::SshdServer(const std::string& dir) : dir_(dir) {
  if (::access(kSshd, X_OK) != 0) throw std::runtime_error("sshd is not installed (Debian package openssh-server)");
  port_ = free_port();
  for (const char* k : {"host_key", "other_host_key", "client_key"})
    run_or_throw({"/usr/bin/ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", k, "-f", dir_ + "/" + k});
  write_file(dir_ + "/authorized_keys", read_file(dir_ + "/client_key.pub"), 0600);
  ::mkdir("/run/sshd", 0755);  // sshd's privilege separation directory
  write_file(dir_ + "/sshd_config",
             "Port " + std::to_string(port_) + "\nListenAddress 127.0.0.1\nHostKey " + dir_ +
                 "/host_key\nPidFile " + dir_ + "/sshd.pid\nAuthorizedKeysFile " + dir_ +
                 "/authorized_keys\nPasswordAuthentication no\nKbdInteractiveAuthentication no\n"
                 "PubkeyAuthentication yes\nPermitRootLogin prohibit-password\nStrictModes no\nUsePAM no\n"
                 "Subsystem sftp internal-sftp\n");
  pid_ = spawn({kSshd, "-D", "-e", "-f", dir_ + "/sshd_config"}, dir_ + "/sshd.log");
  wait_listening(port_, pid_, dir_ + "/sshd.log");
}

SshdServer::~SshdServer() { stop(pid_); }

std::string SshdServer::known_hosts(bool wrong) const {
  std::string pub = read_file(dir_ + (wrong ? "/other_host_key.pub" : "/host_key.pub"));
  std::string path = dir_ + (wrong ? "/known_hosts_wrong" : "/known_hosts");
  write_file(path, "[127.0.0.1]:" + std::to_string(port_) + " " + pub);
  return path;
}

S3Server::S3Server(const std::string& dir, const std::string& access_key, const std::string& secret_key,
                   const std::string& bucket)
    : dir_(dir), access_key_(access_key), secret_key_(secret_key), bucket_(bucket) {
  const char* installed = std::getenv("VMCAP_TEST_S3SERVER");
  std::string serve = std::string(installed ? installed : "") + "/serve.js";
  if (!installed || ::access(serve.c_str(), R_OK) != 0 || ::access("/usr/bin/env", X_OK) != 0)
    throw std::runtime_error("the S3 test server is not installed (VMCAP_TEST_S3SERVER=" +
                             std::string(installed ? installed : "unset") +
                             "): run tests/upload/s3server/install.sh BUILD/s3server");
  port_ = free_port();
  ::mkdir((dir_ + "/s3data").c_str(), 0755);
  // s3rver's ListObjectsV2 continuation tokens are DES-encrypted keys (lib/controllers/
  // bucket.js), a cipher OpenSSL 3 keeps in its legacy provider: without it a truncated
  // listing answers 500 ERR_OSSL_EVP_UNSUPPORTED.
  pid_ = spawn({"/usr/bin/env", "node", "--openssl-legacy-provider", serve, dir_ + "/s3data", std::to_string(port_), access_key_, secret_key_,
                bucket_},
               dir_ + "/s3server.log");
  wait_listening(port_, pid_, dir_ + "/s3server.log");
}

S3Server::~S3Server() { stop(pid_); }

std::vector<std::string> S3Server::requests() const {
  // The server logs after answering: wait until the log stops changing.
  std::string text = read_file(dir_ + "/s3server.log");
  for (int i = 0; i < 50; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::string now = read_file(dir_ + "/s3server.log");
    if (now == text) break;
    text = now;
  }
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);)
    if (l.rfind("listening ", 0) != 0 && !l.empty()) lines.push_back(l);
  return lines;
}

namespace {
size_t append_body(char* p, size_t size, size_t n, void* out) {
  static_cast<std::string*>(out)->append(p, size * n);
  return size * n;
}
}  // namespace

std::string S3Server::get(const std::string& key) const {
  CURL* h = curl_easy_init();
  std::string body;
  std::string url = endpoint() + "/" + bucket_ + "/" + key;
  curl_slist* headers = curl_slist_append(
      nullptr, "x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  curl_easy_setopt(h, CURLOPT_URL, url.c_str());
  curl_easy_setopt(h, CURLOPT_PROXY, "");
  curl_easy_setopt(h, CURLOPT_AWS_SIGV4, "aws:amz:us-east-1:s3");
  curl_easy_setopt(h, CURLOPT_USERNAME, access_key_.c_str());
  curl_easy_setopt(h, CURLOPT_PASSWORD, secret_key_.c_str());
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &append_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &body);
  curl_easy_setopt(h, CURLOPT_TIMEOUT, 60L);
  CURLcode rc = curl_easy_perform(h);
  long status = 0;
  curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(h);
  if (rc != CURLE_OK || status != 200)
    throw std::runtime_error("GET " + url + ": " + curl_easy_strerror(rc) + ", HTTP " + std::to_string(status) +
                             ": " + body.substr(0, 300));
  return body;
}

}  // namespace vmcap::testing
