// A TCP relay on 127.0.0.1 in front of a real server that breaks requests the way a
// network or a dying server does: once a connection has carried `limit` bytes from the
// client, it either resets both sides (RST, no goodbye) or stops reading and forwarding
// while keeping the connection open (a stalled server: the client's writes block until
// its low-speed timeout fires). Each connection counts its own bytes, so small requests
// (manifest, logs) pass and a large one (the core) breaks part way. Runs on its own
// threads, stopped and joined by the destructor.
#pragma once

#include <atomic>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace vmcap::testing {

class FaultProxy {
 public:
  enum class Fault { Reset, Stall };

  // max_faults: break at most this many connections (-1: every one that passes `limit`);
  // later connections are relayed whole, as by a network that recovered.
  FaultProxy(int upstream_port, Fault fault, uint64_t limit, int max_faults = -1);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;

  int port() const { return port_; }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Connections broken so far, and the client bytes relayed before each break.
  int faults() const { return faults_; }

 private:
  void accept_loop();
  void relay(int client);

  int upstream_port_;
  Fault fault_;
  uint64_t limit_;
  int max_faults_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> faults_{0};
  std::atomic<int> reserved_faults_{0};
  std::thread acceptor_;
  std::mutex mu_;
  std::vector<std::thread> connections_;
};

}  // namespace vmcap::testing
