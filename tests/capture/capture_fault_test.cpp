// `vmcap capture` on a real 6.1 kdump vmcore when destinations fail the way they do in
// the field, each against real servers on 127.0.0.1: connection refused, 500 and 503
// answers, a connection reset in the middle of the core, a server that stalls in the
// middle of the core, a full disk. For each: what was saved where, what the manifest
// says, the exit status, and the final action decided (final_action and failure_action
// none, so nothing reboots; the "decision" line says which of the two was taken).
// The deadline passing mid-core, a broken config and no destination at all are in
// capture_run_test.cpp.
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/capture/capture_test_support.h"
#include "tests/cli/run_vmcap.h"
#include "tests/support/temp_dir.h"
#include "tests/upload/fault_proxy.h"
#include "tests/upload/local_servers.h"

namespace vmcap::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const char* kDav = "location /crash/ { dav_methods PUT; create_full_put_path on; dav_access user:rw; }\n";

// Quick retries; the fallback path must stay unused when some destination takes the log.
std::string globals(const TempDir& d, const std::string& more = "") {
  return "final_action = none\nfailure_action = none\nretries = 2\nretry_delay = 50ms\nfallback_path = " +
         d.file("fb") + "\n" + more;
}

// VMCAP_TEST_VERBOSE=1 prints each run's console, to see the timings of a fault.
RunResult capture(const std::string& conf) {
  auto r = run_vmcap({"capture", "--config", conf, "--vmcore", vmcore("6.1").string()});
  if (std::getenv("VMCAP_TEST_VERBOSE")) std::fprintf(stderr, "%s", r.err.c_str());
  return r;
}

size_t count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t p = text.find(what); p != std::string::npos; p = text.find(what, p + 1)) ++n;
  return n;
}

// The first destination refuses connections: retried, then the next takes everything.
// The capture is complete (final_action), but exit status 1 says a destination failed.
TEST(CaptureFaults, ConnectionRefusedThenTheNextDestinationTakesAll) {
  TempDir d;
  std::string conf = d.file("vmcap.conf");
  write_file(conf, globals(d) + "[destination down]\nurl = http://127.0.0.1:" + std::to_string(free_port()) +
                       "/crash\n[destination disk]\nurl = file://" + d.file("out") + "\n");
  auto r = capture(conf);
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("decision: final_action = none (the capture is complete)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("final action: none"), std::string::npos) << r.err;
  EXPECT_EQ(count(r.err, "retry: down: "), 2u) << r.err;  // retries = 2, then given up
  fs::path dir = only_capture_dir(d.file("out"));
  json m = manifest_in(dir);
  EXPECT_EQ(m["complete"], true);
  json down = destination_in(m, "down");
  EXPECT_EQ(down["status"], "failed");
  ASSERT_EQ(down["errors"].size(), 1u);
  EXPECT_NE(down["errors"][0].get<std::string>().find("manifest.json: "), std::string::npos) << down;
  EXPECT_NE(down["errors"][0].get<std::string>().find("onnect"), std::string::npos) << down;
  EXPECT_EQ(destination_in(m, "disk")["status"], "ok");
  expect_artifacts_match(m, dir, "disk", {"dmesg.txt", "dmesg.json", "vmcore.flat"});
  EXPECT_FALSE(fs::exists(d.file("fb")));
}

// The only destination takes the log, then breaks in the middle of the core: the console
// and the manifest's problems both say that the core was not saved, and why, once.
TEST(CaptureFaults, ACoreNoDestinationTookIsSaidToBeLostAndWhy) {
  TempDir d;
  NginxServer nginx(d.path(), kDav);
  FaultProxy proxy(nginx.port(), FaultProxy::Fault::Reset, 4u << 20);
  std::string conf = d.file("vmcap.conf");
  write_file(conf, globals(d) + "[destination flaky]\nurl = " + proxy.url() + "/crash/\n");
  auto r = capture(conf);
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("core: NOT SAVED: flaky failed on vmcore.flat: "), std::string::npos) << r.err;
  json m = manifest_in(only_capture_dir(nginx.root() + "/crash"));
  EXPECT_EQ(m["complete"], false);
  std::string problems = m["problems"].dump();
  EXPECT_NE(problems.find("core: not saved: flaky failed on vmcore.flat: "), std::string::npos) << problems;
  EXPECT_EQ(count(problems, "vmcore.flat: "), 1u) << problems;  // the reason, not the whole chain again
}

// Every destination refuses: the log goes to the fallback path, whose manifest is the final
// one and says that the core was not saved because the destination failed on the manifest.
TEST(CaptureFaults, NoDestinationAtAllTheFallbackManifestSaysTheCoreIsLost) {
  TempDir d;
  std::string conf = d.file("vmcap.conf");
  write_file(conf, globals(d) + "[destination down]\nurl = http://127.0.0.1:" + std::to_string(free_port()) + "/crash\n");
  auto r = capture(conf);
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("core: NOT SAVED: down failed on manifest.json: "), std::string::npos) << r.err;
  // Each line says the reason once: no line repeats the request and curl's whole chain.
  EXPECT_NE(r.err.find("upload: dmesg.txt not sent to down (put http://127.0.0.1:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(": it failed on manifest.json: "), std::string::npos) << r.err;
  std::istringstream lines(r.err);
  for (std::string line; std::getline(lines, line);) {
    EXPECT_LE(count(line, "127.0.0.1 port"), 1u) << line;
    EXPECT_LE(count(line, "manifest.json"), 1u) << line;
  }
  json m = manifest_in(only_capture_dir(d.file("fb")));
  std::string problems = m["problems"].dump();
  EXPECT_NE(problems.find("core: not saved: down failed on manifest.json: "), std::string::npos) << problems;
  EXPECT_NE(problems.find("no destination took the log: saved to the fallback path"), std::string::npos) << problems;
}

// 500 from the first destination and 503 from the second: each is retried (retries = 2:
// three attempts), then given up, and the third destination takes everything.
TEST(CaptureFaults, ServerErrorsAreRetriedThenTheNextDestination) {
  TempDir d;
  NginxServer nginx(d.path(), std::string(kDav) + "location /e500/ { return 500; }\nlocation /e503/ { return 503; }\n");
  std::string conf = d.file("vmcap.conf");
  write_file(conf, globals(d) + "[destination e500]\nurl = " + nginx.url() + "/e500/\n[destination e503]\nurl = " +
                       nginx.url() + "/e503/\n[destination dav]\nurl = " + nginx.url() + "/crash/\n");
  auto r = capture(conf);
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("decision: final_action = none (the capture is complete)"), std::string::npos) << r.err;
  std::string log = nginx.access_log();
  // The manifest is each destination's first artifact: three attempts, then the next.
  EXPECT_EQ(count(log, "/manifest.json 500"), 3u) << log;
  EXPECT_EQ(count(log, "/manifest.json 503"), 3u) << log;
  EXPECT_EQ(count(log, "PUT /e500/"), 3u) << log;  // a failed destination is not tried again
  EXPECT_EQ(count(log, "PUT /e503/"), 3u) << log;
  fs::path dir = only_capture_dir(nginx.root() + "/crash");
  json m = manifest_in(dir);
  EXPECT_EQ(m["complete"], true);
  for (auto [name, status] : {std::pair{"e500", "HTTP 500"}, std::pair{"e503", "HTTP 503"}}) {
    json dest = destination_in(m, name);
    EXPECT_EQ(dest["status"], "failed");
    ASSERT_EQ(dest["errors"].size(), 1u) << dest;
    EXPECT_NE(dest["errors"][0].get<std::string>().find(status), std::string::npos) << dest;
  }
  EXPECT_EQ(destination_in(m, "dav")["status"], "ok");
  expect_artifacts_match(m, dir, "dav", {"dmesg.txt", "dmesg.json", "vmcore.flat"});
  EXPECT_FALSE(fs::exists(d.file("fb")));
}

// A relay in front of nginx resets the connection once 4 MiB of a request have passed:
// the manifest and logs (small) land, the core (tens of MB) breaks part way. A stream
// cannot start over, so that destination fails and the core goes to the next one; the
// final manifest still reaches both, and says where each artifact is.
TEST(CaptureFaults, ConnectionResetMidCoreMovesTheCoreToTheNextDestination) {
  TempDir d;
  NginxServer nginx(d.path(), kDav);
  FaultProxy proxy(nginx.port(), FaultProxy::Fault::Reset, 4u << 20);
  std::string conf = d.file("vmcap.conf");
  write_file(conf, globals(d) + "[destination flaky]\nurl = " + proxy.url() + "/crash/\n[destination disk]\nurl = file://" +
                       d.file("out") + "\n");
  auto r = capture(conf);
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("decision: final_action = none (the capture is complete)"), std::string::npos) << r.err;
  EXPECT_EQ(proxy.faults(), 1);

  fs::path on_server = only_capture_dir(nginx.root() + "/crash");
  fs::path on_disk = only_capture_dir(d.file("out"));
  EXPECT_EQ(on_server.filename(), on_disk.filename());
  EXPECT_FALSE(fs::exists(on_server / "vmcore.flat"));
  json m = manifest_in(on_disk);
  EXPECT_EQ(manifest_in(on_server), m);  // the final manifest, on both
  EXPECT_EQ(m["complete"], true);
  json flaky = destination_in(m, "flaky");
  EXPECT_EQ(flaky["status"], "failed");
  EXPECT_EQ(flaky["artifacts"], json::array({"dmesg.txt", "dmesg.json"}));
  ASSERT_EQ(flaky["errors"].size(), 1u);
  EXPECT_EQ(flaky["errors"][0].get<std::string>().rfind("vmcore.flat: ", 0), 0u) << flaky;
  expect_artifacts_match(m, on_server, "flaky", {"dmesg.txt", "dmesg.json"});
  expect_artifacts_match(m, on_disk, "disk", {"vmcore.flat"});
}

// A relay that stops reading after 4 MiB of a request and keeps the connection open:
// the low-speed timeout (2 s below 1 KiB/s) ends the core's transfer, and the capture
// moves on to the next destination long before its deadline.
TEST(CaptureFaults, StalledServerMidCoreTimesOutAndTheCaptureMovesOn) {
  TempDir d;
  NginxServer nginx(d.path(), kDav);
  FaultProxy proxy(nginx.port(), FaultProxy::Fault::Stall, 4u << 20);
  std::string conf = d.file("vmcap.conf");
  write_file(conf, globals(d, "low_speed_time = 2s\nlow_speed_limit = 1K\ndeadline = 10m\n") +
                       "[destination stalled]\nurl = " + proxy.url() + "/crash/\n[destination disk]\nurl = file://" +
                       d.file("out") + "\n");
  auto r = capture(conf);
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("decision: final_action = none (the capture is complete)"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("deadline passed"), std::string::npos) << r.err;
  EXPECT_EQ(proxy.faults(), 1);
  fs::path on_disk = only_capture_dir(d.file("out"));
  json m = manifest_in(on_disk);
  EXPECT_EQ(m["complete"], true);
  json stalled = destination_in(m, "stalled");
  EXPECT_EQ(stalled["status"], "failed");
  ASSERT_EQ(stalled["errors"].size(), 1u);
  EXPECT_NE(stalled["errors"][0].get<std::string>().find("too slow"), std::string::npos) << stalled;
  expect_artifacts_match(m, on_disk, "disk", {"vmcore.flat"});
  expect_artifacts_match(m, only_capture_dir(nginx.root() + "/crash"), "stalled", {"dmesg.txt", "dmesg.json"});
}

// A tmpfs of 4 MiB, unmounted before the temp dir goes.
class SmallTmpfs {
 public:
  explicit SmallTmpfs(const std::string& path) : path_(path) {
    fs::create_directories(path);
    mounted_ = ::mount("tmpfs", path.c_str(), "tmpfs", 0, "size=4m,mode=0755") == 0;
  }
  ~SmallTmpfs() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  bool mounted() const { return mounted_; }

 private:
  std::string path_;
  bool mounted_ = false;
};

// The first file destination is a 4 MiB tmpfs: the log fits, the core does not (ENOSPC).
// The partial core is removed, so the final manifest still fits; the core goes to the
// second destination.
TEST(CaptureFaults, FullDiskOnAFileDestinationMovesTheCoreOn) {
  if (::geteuid() != 0) GTEST_SKIP() << "mounting a small tmpfs needs root (CI runs the tests as root)";
  TempDir d;
  SmallTmpfs small(d.file("small"));
  ASSERT_TRUE(small.mounted()) << "mount -t tmpfs failed on " << d.file("small");
  std::string conf = d.file("vmcap.conf");
  write_file(conf, globals(d) + "[destination small]\nurl = file://" + d.file("small") +
                       "\n[destination big]\nurl = file://" + d.file("big") + "\n");
  auto r = capture(conf);
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("decision: final_action = none (the capture is complete)"), std::string::npos) << r.err;
  fs::path on_small = only_capture_dir(d.file("small"));
  fs::path on_big = only_capture_dir(d.file("big"));
  std::vector<std::string> left;
  for (const auto& e : fs::directory_iterator(on_small)) left.push_back(e.path().filename().string());
  std::sort(left.begin(), left.end());
  EXPECT_EQ(left, (std::vector<std::string>{"dmesg.json", "dmesg.txt", "manifest.json"}));  // no .part left
  json m = manifest_in(on_small);
  EXPECT_EQ(manifest_in(on_big), m);
  EXPECT_EQ(m["complete"], true);
  json dest = destination_in(m, "small");
  EXPECT_EQ(dest["status"], "failed");
  ASSERT_EQ(dest["errors"].size(), 1u);
  EXPECT_NE(dest["errors"][0].get<std::string>().find("No space left on device"), std::string::npos) << dest;
  expect_artifacts_match(m, on_small, "small", {"dmesg.txt", "dmesg.json"});
  expect_artifacts_match(m, on_big, "big", {"vmcore.flat"});
}

}  // namespace
}  // namespace vmcap::testing
