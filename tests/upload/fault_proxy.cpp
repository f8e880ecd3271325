#include "tests/upload/fault_proxy.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace vmcap::testing {
namespace {

constexpr int kPollMs = 100;  // how often the threads look at the stop flag

sockaddr_in loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

bool send_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// Closing with a zero linger time sends RST instead of FIN.
void reset(int fd) {
  linger l{1, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l);
  ::close(fd);
}

}  // namespace

FaultProxy::FaultProxy(int upstream_port, Fault fault, uint64_t limit, int max_faults)
    : upstream_port_(upstream_port), fault_(fault), limit_(limit), max_faults_(max_faults) {
  listen_fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  ::setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in a = loopback(0);
  if (::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(listen_fd_, 16) != 0)
    throw std::runtime_error("fault proxy: cannot listen on 127.0.0.1");
  socklen_t len = sizeof a;
  ::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len);
  port_ = ntohs(a.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

FaultProxy::~FaultProxy() {
  stop_ = true;
  acceptor_.join();
  ::close(listen_fd_);
  std::lock_guard lock(mu_);
  for (auto& t : connections_) t.join();
}

void FaultProxy::accept_loop() {
  while (!stop_) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, kPollMs) <= 0) continue;
    int client = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    std::lock_guard lock(mu_);
    connections_.emplace_back([this, client] { relay(client); });
  }
}

void FaultProxy::relay(int client) {
  int upstream = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a = loopback(upstream_port_);
  if (::connect(upstream, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    ::close(upstream);
    reset(client);
    return;
  }
  uint64_t from_client = 0;
  bool broken = false;
  uint64_t limit = limit_;
  std::vector<char> buf(64 << 10);
  while (!stop_ && !broken) {
    pollfd p[2] = {{client, POLLIN, 0}, {upstream, POLLIN, 0}};
    if (::poll(p, 2, kPollMs) <= 0) continue;
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      // Never read past the limit: what is not read stays in the client's way.
      size_t room = static_cast<size_t>(std::min<uint64_t>(buf.size(), limit - from_client));
      ssize_t n = room ? ::recv(client, buf.data(), room, 0) : 0;
      if (room && n <= 0) break;
      if (n > 0 && !send_all(upstream, buf.data(), static_cast<size_t>(n))) break;
      from_client += static_cast<uint64_t>(std::max<ssize_t>(n, 0));
      if (from_client >= limit) {
        // Break it if faults are left; else relay the rest of it whole.
        if (max_faults_ < 0 || reserved_faults_.fetch_add(1) < max_faults_) broken = true;
        else limit = UINT64_MAX;
      }
    }
    if (!broken && (p[1].revents & (POLLIN | POLLHUP | POLLERR))) {
      ssize_t n = ::recv(upstream, buf.data(), buf.size(), 0);
      if (n <= 0 || !send_all(client, buf.data(), static_cast<size_t>(n))) break;
    }
  }
  if (broken) {
    ++faults_;
    if (fault_ == Fault::Reset) {
      reset(client);
      reset(upstream);
      return;
    }
    // Stall: hold both connections open, read nothing, until the test ends.
    while (!stop_) std::this_thread::sleep_for(std::chrono::milliseconds(kPollMs));
  }
  ::close(client);
  ::close(upstream);
}

}  // namespace vmcap::testing
