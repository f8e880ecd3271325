// The crash index and one core per bug (issue 19, docs/index.md) through `vmcap capture`
// on the real test vmcores, into real destinations: a file folder, the SigV4-checking S3
// server and OpenSSH's sftp. Each capture leaves its entry under index/<hash>/; with
// cores_per_signature = 1 a second capture of the same vmcore skips its core and names
// the first, a capture of another bug keeps its own; an index that stalls (a socket that
// accepts and never answers) or refuses (a wrong secret) costs a few seconds and the core
// is uploaded all the same.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <regex>
#include <string>

#include <nlohmann/json.hpp>

#include "tests/capture/capture_test_support.h"
#include "tests/cli/run_vmcap.h"
#include "tests/support/temp_dir.h"
#include "tests/upload/local_servers.h"

namespace vmcap::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kAccessKey[] = "VMCAPINDEXKEY";
constexpr char kSecretKey[] = "index-secret-1f2e3d4c";
constexpr char kBucket[] = "crashes";
constexpr char kHeader[] = "final_action = none\nfailure_action = none\nfallback_path = none\nretries = 1\nretry_delay = 50ms\n";

struct Capture {
  RunResult run;
  std::string dir;
};

Capture capture(const std::string& conf, const std::string& kernel) {
  Capture c{run_vmcap({"capture", "--config", conf, "--vmcore", vmcore(kernel).string()}), ""};
  c.dir = announced_directory(c.run.err);
  return c;
}

// The capture's entry in the index under `root` (a file destination's folder).
json entry_in(const fs::path& root, const json& manifest) {
  const std::string hash = manifest["crash"].is_object() ? manifest["crash"]["hash"].get<std::string>() : "";
  fs::path p = root / "index" / (hash.empty() ? "unknown" : hash) / (manifest["directory"].get<std::string>() + ".json");
  if (!fs::exists(p)) {
    ADD_FAILURE() << "no index entry " << p;
    return json::object();
  }
  return json::parse(read_file(p.string()));
}

bool has_artifact(const json& m, const std::string& name) {
  for (const auto& a : m["artifacts"])
    if (a["name"] == name) return true;
  return false;
}

std::string s3_section(const std::string& name, const S3Server& server, const std::string& dir,
                       const std::string& secret, const std::string& endpoint = "") {
  write_file(dir + "/" + name + ".access", std::string(kAccessKey) + "\n", 0600);
  write_file(dir + "/" + name + ".secret", secret + "\n", 0600);
  return "[destination " + name + "]\nurl = s3://" + kBucket + "/dumps\nregion = us-east-1\nendpoint = " +
         (endpoint.empty() ? server.endpoint() : endpoint) + "\npath_style = yes\npart_size = 5M\naccess_key_file = " +
         dir + "/" + name + ".access\nsecret_key_file = " + dir + "/" + name + ".secret\n";
}

TEST(CaptureIndex, OneCorePerBugOnAFileDestination) {
  TempDir d;
  const std::string conf = d.file("vmcap.conf");
  write_file(conf, std::string(kHeader) + "cores_per_signature = 1\n[destination out]\nurl = file://" + d.file("out") + "\n");
  const fs::path out = d.file("out");

  Capture first = capture(conf, "6.1");
  ASSERT_EQ(first.run.status, 0) << first.run.err;
  json m1 = manifest_in(out / first.dir);
  EXPECT_TRUE(has_artifact(m1, "vmcore.flat"));
  EXPECT_EQ(m1["core_dedup"]["core_skipped"], false);
  EXPECT_EQ(m1["core_dedup"]["index"], "out");
  json e1 = entry_in(out, m1);
  EXPECT_EQ(e1["schema"], "vmcap-index/1");
  EXPECT_EQ(e1["directory"], first.dir);
  EXPECT_EQ(e1["destination"], "out");
  EXPECT_EQ(e1["core"]["kept"], true);
  EXPECT_EQ(e1["kernel"]["release"], m1["kernel"]["release"]);
  EXPECT_EQ(e1["kernel"]["build_id"], m1["kernel"]["build_id"]);
  EXPECT_EQ(e1["crash"]["reason"], m1["crash"]["reason"]);
  EXPECT_EQ(e1["crash"]["frames"], m1["crash"]["frames"]);
  EXPECT_FALSE(e1["log_tail"].empty());
  std::cout << "entry of a 6.1 capture: " << read_file((out / "index" / m1["crash"]["hash"].get<std::string>() /
                                                         (first.dir + ".json")).string()).size()
            << " bytes; lookup " << m1["core_dedup"]["lookup_ms"] << " ms\n";

  // The same vmcore again: its core is skipped, the manifest and the entry name the first.
  Capture second = capture(conf, "6.1");
  ASSERT_EQ(second.run.status, 0) << second.run.err;
  EXPECT_NE(second.run.err.find("already hold a core (" + first.dir + ")"), std::string::npos) << second.run.err;
  json m2 = manifest_in(out / second.dir);
  EXPECT_EQ(m2["complete"], true);
  EXPECT_FALSE(has_artifact(m2, "vmcore.flat"));
  EXPECT_FALSE(fs::exists(out / second.dir / "vmcore.flat"));
  EXPECT_TRUE(has_artifact(m2, "dmesg.txt"));
  EXPECT_EQ(m2["core_dedup"]["core_skipped"], true);
  EXPECT_EQ(m2["core_dedup"]["holders"], json::array({first.dir}));
  json e2 = entry_in(out, m2);
  EXPECT_EQ(e2["core"]["kept"], false);
  EXPECT_EQ(e2["core"]["holders"], json::array({first.dir}));

  // Another bug (arm64's sysrq crash has other frames): its core is kept.
  Capture other = capture(conf, "6.1-arm64");
  ASSERT_EQ(other.run.status, 0) << other.run.err;
  json m3 = manifest_in(out / other.dir);
  EXPECT_NE(m3["crash"]["hash"], m1["crash"]["hash"]);
  EXPECT_TRUE(has_artifact(m3, "vmcore.flat"));
  EXPECT_EQ(m3["core_dedup"]["core_skipped"], false);
  EXPECT_EQ(entry_in(out, m3)["core"]["kept"], true);

  // 5.10's sysrq crash has 6.1's signature: the same bug by the signature, another by the
  // signature and build-id.
  Capture same_bug = capture(conf, "5.10");
  ASSERT_EQ(same_bug.run.status, 0) << same_bug.run.err;
  json m4 = manifest_in(out / same_bug.dir);
  ASSERT_EQ(m4["crash"]["hash"], m1["crash"]["hash"]);
  EXPECT_EQ(m4["core_dedup"]["core_skipped"], true);
  write_file(conf, std::string(kHeader) + "cores_per_signature = 1\ncore_dedup_key = signature+build-id\n"
                                          "[destination out]\nurl = file://" + d.file("out") + "\n");
  Capture by_build = capture(conf, "5.10");
  ASSERT_EQ(by_build.run.status, 0) << by_build.run.err;
  json m5 = manifest_in(out / by_build.dir);
  EXPECT_EQ(m5["core_dedup"]["key"], "signature+build-id");
  EXPECT_EQ(m5["core_dedup"]["core_skipped"], false) << m5["core_dedup"];
  EXPECT_TRUE(has_artifact(m5, "vmcore.flat"));
}

TEST(CaptureIndex, OneCorePerBugOnS3) {
  TempDir d;
  S3Server server(d.path(), kAccessKey, kSecretKey, kBucket);
  const std::string conf = d.file("vmcap.conf");
  write_file(conf, std::string(kHeader) + "cores_per_signature = 1\n" + s3_section("s3", server, d.path(), kSecretKey));
  Capture first = capture(conf, "6.1");
  ASSERT_EQ(first.run.status, 0) << first.run.err;
  json m1 = json::parse(server.get("dumps/" + first.dir + "/manifest.json"));
  const std::string hash = m1["crash"]["hash"];
  json e1 = json::parse(server.get("dumps/index/" + hash + "/" + first.dir + ".json"));
  EXPECT_EQ(e1["core"]["kept"], true);
  EXPECT_EQ(e1["destination"], "s3");

  Capture second = capture(conf, "6.1");
  ASSERT_EQ(second.run.status, 0) << second.run.err;
  json m2 = json::parse(server.get("dumps/" + second.dir + "/manifest.json"));
  EXPECT_EQ(m2["complete"], true);
  EXPECT_EQ(m2["core_dedup"]["core_skipped"], true) << m2["core_dedup"];
  EXPECT_EQ(m2["core_dedup"]["holders"], json::array({first.dir}));
  EXPECT_FALSE(has_artifact(m2, "vmcore.flat"));
  json e2 = json::parse(server.get("dumps/index/" + hash + "/" + second.dir + ".json"));
  EXPECT_EQ(e2["core"]["kept"], false);
  std::cout << "lookup on S3: " << m1["core_dedup"]["lookup_ms"] << " ms (empty), " << m2["core_dedup"]["lookup_ms"]
            << " ms (one entry)\n";
  // The lookups were signed ListObjectsV2 requests of the signature's folder, then one GET.
  size_t lists = 0, second_core = 0;
  for (const auto& line : server.requests()) {
    if (line.find("list-type=2") != std::string::npos && line.find("prefix=dumps%2Findex%2F" + hash + "%2F") != std::string::npos) {
      ++lists;
      EXPECT_EQ(line.substr(line.size() - 4), " 200") << line;
    }
    second_core += line.find(second.dir + "/vmcore.flat") != std::string::npos;
  }
  EXPECT_EQ(lists, 2u);
  EXPECT_EQ(second_core, 0u);
}

TEST(CaptureIndex, OneCorePerBugOnSftp) {
  TempDir d, server_dir;
  SshdServer sshd(server_dir.path());
  const std::string conf = d.file("vmcap.conf");
  write_file(conf, std::string(kHeader) + "cores_per_signature = 1\n[destination sftp]\nurl = sftp://" + sshd.user() +
                       "@127.0.0.1:" + std::to_string(sshd.port()) + d.file("store") + "\nidentity_file = " +
                       sshd.client_key() + "\nknown_hosts = " + sshd.known_hosts(false) + "\n");
  const fs::path store = d.file("store");
  Capture first = capture(conf, "6.1");
  ASSERT_EQ(first.run.status, 0) << first.run.err;
  json m1 = manifest_in(store / first.dir);
  EXPECT_EQ(entry_in(store, m1)["core"]["kept"], true);
  Capture second = capture(conf, "6.1");
  ASSERT_EQ(second.run.status, 0) << second.run.err;
  json m2 = manifest_in(store / second.dir);
  EXPECT_EQ(m2["core_dedup"]["core_skipped"], true) << m2["core_dedup"];
  EXPECT_EQ(m2["core_dedup"]["holders"], json::array({first.dir}));
  EXPECT_FALSE(fs::exists(store / second.dir / "vmcore.flat"));
  EXPECT_EQ(entry_in(store, m2)["core"]["kept"], false);
  std::cout << "lookup on sftp: " << m2["core_dedup"]["lookup_ms"] << " ms (one entry)\n";
}

// A TCP port that accepts connections (the kernel's backlog completes the handshake) and
// never answers: a stalled server.
class SilentServer {
 public:
  SilentServer() {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd_ < 0 || ::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(fd_, 64) != 0)
      throw std::runtime_error("SilentServer: cannot listen");
    socklen_t len = sizeof a;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~SilentServer() { ::close(fd_); }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }

 private:
  int fd_ = -1;
  int port_ = 0;
};

TEST(CaptureIndex, AStalledIndexStillUploadsTheCore) {
  TempDir d;
  SilentServer silent;
  const std::string conf = d.file("vmcap.conf");
  write_file(d.file("k.access"), std::string(kAccessKey) + "\n", 0600);
  write_file(d.file("k.secret"), std::string(kSecretKey) + "\n", 0600);
  write_file(conf, std::string(kHeader) + "cores_per_signature = 1\nindex_destination = stalled\n"
                   "destinations = out\n[destination out]\nurl = file://" + d.file("out") +
                   "\n[destination stalled]\nurl = s3://crashes/dumps\nregion = us-east-1\npath_style = yes\nendpoint = " +
                   silent.url() + "\naccess_key_file = " + d.file("k.access") + "\nsecret_key_file = " + d.file("k.secret") + "\n");
  const fs::path out = d.file("out");
  // Twice: an index that never answers cannot prove a core, so the second keeps its own.
  for (int i = 0; i < 2; ++i) {
    auto start = std::chrono::steady_clock::now();
    Capture c = capture(conf, "6.1");
    const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start);
    ASSERT_EQ(c.run.status, 0) << c.run.err;
    json m = manifest_in(out / c.dir);
    EXPECT_EQ(m["complete"], true);
    EXPECT_TRUE(has_artifact(m, "vmcore.flat"));
    EXPECT_EQ(m["core_dedup"]["core_skipped"], false);
    EXPECT_EQ(m["core_dedup"]["index"], "stalled");
    EXPECT_NE(m["core_dedup"]["why"].get<std::string>().find("when in doubt, keep"), std::string::npos) << m["core_dedup"];
    const int64_t lookup = m["core_dedup"]["lookup_ms"];
    EXPECT_GE(lookup, 4500);  // the whole budget, waited for
    EXPECT_LE(lookup, 7000);
    EXPECT_EQ(entry_in(out, m)["core"]["kept"], true);  // the entry on the destination that took it
    EXPECT_NE(c.run.err.find("the index entry did not reach stalled"), std::string::npos) << c.run.err;
    std::cout << "stalled index: lookup " << lookup << " ms, capture " << took.count() << " ms\n";
  }
}

TEST(CaptureIndex, ARefusingIndexStillUploadsTheCore) {
  TempDir d;
  S3Server server(d.path(), kAccessKey, kSecretKey, kBucket);
  const std::string conf = d.file("vmcap.conf");
  write_file(conf, std::string(kHeader) + "cores_per_signature = 1\nindex_destination = refusing\ndestinations = out\n"
                       "[destination out]\nurl = file://" + d.file("out") + "\n" +
                       s3_section("refusing", server, d.path(), "not-the-secret"));
  const fs::path out = d.file("out");
  for (int i = 0; i < 2; ++i) {
    Capture c = capture(conf, "6.1");
    ASSERT_EQ(c.run.status, 0) << c.run.err;
    json m = manifest_in(out / c.dir);
    EXPECT_TRUE(has_artifact(m, "vmcore.flat"));
    EXPECT_EQ(m["core_dedup"]["core_skipped"], false);
    EXPECT_NE(m["core_dedup"]["why"].get<std::string>().find("403"), std::string::npos) << m["core_dedup"];
    EXPECT_LT(m["core_dedup"]["lookup_ms"].get<int64_t>(), 3000);
    std::cout << "refusing index: lookup " << m["core_dedup"]["lookup_ms"] << " ms\n";
  }
  size_t refused = 0;
  for (const auto& line : server.requests()) refused += line.find("403 SignatureDoesNotMatch") != std::string::npos;
  EXPECT_EQ(refused, 4u);  // per capture: the lookup, and the entry (a refusal is not retried)
}

}  // namespace
}  // namespace vmcap::testing
