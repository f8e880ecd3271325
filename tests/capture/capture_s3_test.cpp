// `vmcap capture` on a real 6.1 kdump vmcore into the S3-compatible server of
// tests/upload/s3server (every request's SigV4 signature checked, multipart assembled):
// the objects read back through signed GETs equal what the manifest says, and the core
// arrives as several parts. Then secrets: a bearer token, a basic-auth password and S3
// secret keys, all used for real against servers that refuse or fail, never appear on
// the console or in the manifest.
#include <gtest/gtest.h>

#include <regex>
#include <string>

#include <nlohmann/json.hpp>

#include "capture/upload/sha256.h"
#include "tests/capture/capture_test_support.h"
#include "tests/cli/run_vmcap.h"
#include "tests/support/temp_dir.h"
#include "tests/upload/fault_proxy.h"
#include "tests/upload/local_servers.h"

namespace vmcap::testing {
namespace {

using nlohmann::json;

constexpr char kAccessKey[] = "VMCAPCAPTUREKEY";
constexpr char kSecretKey[] = "s3-capture-secret-5a6b7c8d9e";
constexpr char kBucket[] = "crashes";

// The capture directory the run announced ("..., capture DIR").
std::string announced_directory(const std::string& console) {
  std::smatch m;
  std::regex re(R"(, capture ([A-Za-z0-9._-]+-[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}))");
  if (!std::regex_search(console, m, re)) {
    ADD_FAILURE() << "no capture directory on the console:\n" << console;
    return "missing";
  }
  return m[1];
}

std::string s3_section(const std::string& name, const S3Server& server, const std::string& dir,
                       const std::string& secret, const std::string& endpoint = "") {
  write_file(dir + "/" + name + ".access", std::string(kAccessKey) + "\n", 0600);
  write_file(dir + "/" + name + ".secret", secret + "\n", 0600);
  return "[destination " + name + "]\nurl = s3://" + kBucket + "/dumps\nregion = us-east-1\nendpoint = " +
         (endpoint.empty() ? server.endpoint() : endpoint) + "\npath_style = yes\npart_size = 5M\naccess_key_file = " + dir + "/" + name +
         ".access\nsecret_key_file = " + dir + "/" + name + ".secret\n";
}

TEST(CaptureIntoS3, EverythingLandsSignedAndTheCoreInSeveralParts) {
  TempDir d;
  S3Server server(d.path(), kAccessKey, kSecretKey, kBucket);
  std::string conf = d.file("vmcap.conf");
  write_file(conf, "final_action = none\nfailure_action = halt\nretries = 1\nretry_delay = 50ms\nfallback_path = " +
                       d.file("fb") + "\n" + s3_section("s3", server, d.path(), kSecretKey));
  auto r = run_vmcap({"capture", "--config", conf, "--vmcore", vmcore("6.1").string()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("decision: final_action = none (the capture is complete)"), std::string::npos) << r.err;
  // Progress of the core: bytes, MB/s, how far and an ETA, on timestamped lines.
  EXPECT_TRUE(std::regex_search(r.err, std::regex(R"(vmcap \[ *[0-9.]+s\] core: [0-9]+ bytes .* MB/s, [0-9]+% of pages, ETA [0-9]+ s)")))
      << r.err;

  std::string dir = "dumps/" + announced_directory(r.err) + "/";
  json m = json::parse(server.get(dir + "manifest.json"));
  EXPECT_EQ(m["complete"], true);
  EXPECT_EQ(m["destinations"][0]["status"], "ok");
  std::vector<std::string> names;
  uint64_t core_size = 0;
  for (const auto& a : m["artifacts"]) {
    std::string name = a["name"];
    names.push_back(name);
    EXPECT_EQ(a["destination"], "s3");
    std::string bytes = server.get(dir + name);
    EXPECT_EQ(a["size"].get<uint64_t>(), bytes.size()) << name;
    EXPECT_EQ(a["sha256"].get<std::string>(), upload::sha256_hex(bytes)) << name;
    if (name == "vmcore.flat") {
      core_size = bytes.size();
      write_file(d.file("vmcore.flat"), bytes);
    }
  }
  EXPECT_EQ(names, (std::vector<std::string>{"dmesg.txt", "dmesg.json", "vmcore.flat"}));
  // The core read back is a dump vmcap reads: its log is the one uploaded.
  auto from_core = run_vmcap({"dmesg", d.file("vmcore.flat")});
  ASSERT_EQ(from_core.status, 0) << from_core.err;
  EXPECT_EQ(from_core.out, server.get(dir + "dmesg.txt"));

  // Several 5 MiB parts, each signed and accepted, then one Complete.
  size_t parts = 0, completes = 0;
  for (const auto& line : server.requests()) {
    if (line.find("/vmcore.flat?partNumber=") != std::string::npos) {
      ++parts;
      EXPECT_EQ(line.substr(line.size() - 4), " 200") << line;
    }
    if (line.rfind("POST /crashes/" + dir + "vmcore.flat?uploadId=", 0) == 0) ++completes;
  }
  EXPECT_GE(core_size, 2u * (5u << 20)) << "the 6.1 core should span several parts";
  EXPECT_EQ(parts, (core_size + (5u << 20) - 1) / (5u << 20));
  EXPECT_EQ(completes, 1u);
}

// The connection to S3 is reset once, 3 MiB into the first 5 MiB part: multipart upload
// retries that part alone on the same destination, and the capture completes there
// (the core does not start over, and no other destination is needed).
TEST(CaptureIntoS3, AResetMidPartIsRetriedAloneAndTheCaptureCompletes) {
  TempDir d;
  S3Server server(d.path(), kAccessKey, kSecretKey, kBucket);
  FaultProxy proxy(server.port(), FaultProxy::Fault::Reset, 3u << 20, /*max_faults=*/1);
  std::string conf = d.file("vmcap.conf");
  write_file(conf, "final_action = none\nfailure_action = halt\nretries = 2\nretry_delay = 50ms\nfallback_path = " +
                       d.file("fb") + "\n" + s3_section("s3", server, d.path(), kSecretKey, proxy.url()));
  auto r = run_vmcap({"capture", "--config", conf, "--vmcore", vmcore("6.1").string()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("decision: final_action = none (the capture is complete)"), std::string::npos) << r.err;
  EXPECT_EQ(proxy.faults(), 1);
  EXPECT_NE(r.err.find("vmcore.flat (part 1): attempt 1 after"), std::string::npos) << r.err;
  std::string dir = "dumps/" + announced_directory(r.err) + "/";
  json m = json::parse(server.get(dir + "manifest.json"));
  EXPECT_EQ(m["complete"], true);
  EXPECT_TRUE(m["destinations"][0]["errors"].empty()) << m["destinations"][0];
  for (const auto& a : m["artifacts"]) {
    std::string bytes = server.get(dir + a["name"].get<std::string>());
    EXPECT_EQ(a["size"].get<uint64_t>(), bytes.size()) << a;
    EXPECT_EQ(a["sha256"].get<std::string>(), upload::sha256_hex(bytes)) << a;
  }
  // Part 1 was sent twice (the first broke before an answer), every other part once.
  size_t part1 = 0, creates = 0;
  for (const auto& line : server.requests()) {
    part1 += line.find("/vmcore.flat?partNumber=1&") != std::string::npos;
    creates += line.find("/vmcore.flat?uploads=") != std::string::npos;
  }
  EXPECT_EQ(creates, 1u);
  EXPECT_LE(part1, 2u);  // the broken attempt may not reach the server's log at all
  EXPECT_GE(part1, 1u);
}

// Each secret is really sent (the servers' logs show it was used), each destination
// refuses or fails, the last one takes everything; none of the secrets is on the
// console or in the manifest, not even base64-encoded.
TEST(CaptureSecrets, NeverOnTheConsoleOrInTheManifest) {
  const std::string token = "bearer-token-0c1d2e3f4a5b";
  const std::string password = "basic-password-6e7f8a9b";
  const std::string wrong_secret = "s3-wrong-secret-1234abcd";
  TempDir d;
  NginxServer nginx(d.path(), "location /bearer/ { return 503; }\nlocation /basic/ { return 401; }\n");
  S3Server server(d.path(), kAccessKey, kSecretKey, kBucket);
  write_file(d.file("token"), token + "\n", 0600);
  write_file(d.file("password"), password + "\n", 0600);
  std::string conf = d.file("vmcap.conf");
  write_file(conf, "final_action = none\nfailure_action = none\nretries = 1\nretry_delay = 50ms\nfallback_path = none\n"
                   "[destination bearer]\nurl = " + nginx.url() + "/bearer/\nbearer_token_file = " + d.file("token") +
                   "\n[destination basic]\nurl = " + nginx.url() + "/basic/\nusername = crash\npassword_file = " +
                   d.file("password") + "\n" + s3_section("s3bad", server, d.path(), wrong_secret) +
                   s3_section("s3", server, d.path(), kSecretKey));
  auto r = run_vmcap({"capture", "--config", conf, "--vmcore", vmcore("6.1").string()});
  EXPECT_EQ(r.status, 1) << r.err;  // complete, but three destinations failed
  std::string manifest = server.get("dumps/" + announced_directory(r.err) + "/manifest.json");
  json m = json::parse(manifest);
  EXPECT_EQ(m["complete"], true);
  EXPECT_EQ(destination_in(m, "bearer")["status"], "failed");
  EXPECT_EQ(destination_in(m, "basic")["status"], "failed");
  EXPECT_EQ(destination_in(m, "s3bad")["status"], "failed");
  EXPECT_EQ(destination_in(m, "s3")["status"], "ok");

  // The secrets were used: the servers saw them (or, for S3, rejected what they signed).
  std::string access = nginx.access_log();
  EXPECT_NE(access.find("auth=[Bearer " + token + "]"), std::string::npos) << access;
  const std::string basic = "Y3Jhc2g6YmFzaWMtcGFzc3dvcmQtNmU3ZjhhOWI=";  // base64("crash:" + password)
  EXPECT_NE(access.find("auth=[Basic " + basic + "]"), std::string::npos) << access;
  size_t refused = 0;
  for (const auto& line : server.requests()) refused += line.find("403 SignatureDoesNotMatch") != std::string::npos;
  EXPECT_EQ(refused, 1u);  // a refusal is not retried

  for (const std::string& secret : {token, password, basic, wrong_secret, std::string(kSecretKey)}) {
    EXPECT_EQ(r.err.find(secret), std::string::npos) << secret << " on the console:\n" << r.err;
    EXPECT_EQ(r.out.find(secret), std::string::npos) << secret << " on stdout";
    EXPECT_EQ(manifest.find(secret), std::string::npos) << secret << " in the manifest:\n" << manifest;
  }
}

}  // namespace
}  // namespace vmcap::testing
