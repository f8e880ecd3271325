// `vmcap capture` with core_format = flat-zstd (docs/config.md, docs/filter.md) on real
// vmcores, x86_64 and arm64, to a file destination and to the S3 test server: the manifest
// lists vmcore.flat.zst with the size and sha256 of what landed, vmcap reads the uploaded
// file directly (info, dmesg), `vmcap filter --format kdump` converts it with the same log,
// plain zstd decompresses it to the flattened core, and the crash index entry says the
// core's format. Sizes against a flat capture of the same vmcore are printed.
#include <gtest/gtest.h>

#include <filesystem>
#include <regex>
#include <string>

#include <nlohmann/json.hpp>

#include "capture/upload/sha256.h"
#include "tests/capture/capture_test_support.h"
#include "tests/cli/run_vmcap.h"
#include "tests/support/temp_dir.h"
#include "tests/upload/local_servers.h"

namespace vmcap::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kHeader[] = "final_action = none\nfailure_action = none\nfallback_path = none\n";
constexpr char kAccessKey[] = "VMCAPFLATZSTDKEY";
constexpr char kSecretKey[] = "s3-flat-zstd-secret-1a2b3c";
constexpr char kBucket[] = "crashes";

const json& artifact_named(const json& m, const std::string& name) {
  for (const auto& a : m["artifacts"])
    if (a["name"] == name) return a;
  ADD_FAILURE() << "no artifact " << name << " in " << m.dump(2);
  static const json none = json::object();
  return none;
}

// What a user does with the uploaded core: info, dmesg, convert to kdump, plain zstd -d.
void expect_core_reads_back(const std::string& core, const std::string& dmesg_txt, const std::string& work) {
  auto info = run_vmcap({"info", core});
  ASSERT_EQ(info.status, 0) << info.err;
  EXPECT_NE(info.out.find("format:       flat-zstd"), std::string::npos) << info.out;

  auto log = run_vmcap({"dmesg", core});
  ASSERT_EQ(log.status, 0) << log.err;
  EXPECT_EQ(log.out, dmesg_txt);

  const std::string kdump = work + "/converted.kdump";
  auto converted = run_vmcap({"filter", core, kdump, "--format", "kdump"});
  ASSERT_EQ(converted.status, 0) << converted.err;
  auto from_kdump = run_vmcap({"dmesg", kdump});
  ASSERT_EQ(from_kdump.status, 0) << from_kdump.err;
  EXPECT_EQ(from_kdump.out, dmesg_txt);

  // The seekable file is plain zstd to zstd itself: the flattened core comes out.
  const std::string flat = work + "/decompressed.flat";
  auto unzstd = run_command({"zstd", "-d", "-q", "-f", core, "-o", flat});
  ASSERT_EQ(unzstd.status, 0) << unzstd.err;
  auto from_flat = run_vmcap({"dmesg", flat});
  ASSERT_EQ(from_flat.status, 0) << from_flat.err;
  EXPECT_EQ(from_flat.out, dmesg_txt);
}

class FlatZstdCaptureToFile : public ::testing::TestWithParam<std::string> {};

TEST_P(FlatZstdCaptureToFile, UploadsVmcoreFlatZstThatVmcapReads) {
  TempDir d;
  const std::string conf = d.file("vmcap.conf");
  write_file(conf, std::string(kHeader) + "core_format = flat-zstd\n[destination disk]\nurl = file://" + d.file("out") + "\n");
  auto r = run_vmcap({"capture", "--config", conf, "--vmcore", vmcore(GetParam()).string()});
  ASSERT_EQ(r.status, 0) << r.err;
  // The console says what the memory plan chose for the frames, and what they hold.
  EXPECT_TRUE(std::regex_search(r.err, std::regex(R"(memory: .*zstd frames of [0-9]+ KiB on [0-9]+ threads?)"))) << r.err;
  EXPECT_TRUE(std::regex_search(r.err, std::regex(R"(core: sent to .* \([0-9]+ zstd frames holding [0-9]+ bytes of the flattened core, [0-9.]+x\))")))
      << r.err;

  fs::path dir = only_capture_dir(d.file("out"));
  json m = manifest_in(dir);
  EXPECT_EQ(m["complete"], true);
  EXPECT_TRUE(m["problems"].empty()) << m["problems"];
  EXPECT_EQ(m["dump"]["core_format"], "flat-zstd");
  EXPECT_EQ(m["dump"]["compression"], "zstd");
  EXPECT_EQ(m["dump"]["compression_level"], 2);
  expect_artifacts_match(m, dir, "disk", {"dmesg.txt", "dmesg.json", "vmcore.flat.zst"});
  EXPECT_EQ(destination_in(m, "disk")["artifacts"], json({"dmesg.txt", "dmesg.json", "vmcore.flat.zst"}));

  // The crash index entry names the core and its format.
  fs::path entry_path = fs::path(d.file("out")) / "index" / m["crash"]["hash"].get<std::string>() /
                        (dir.filename().string() + ".json");
  json e = json::parse(read_file(entry_path.string()));
  EXPECT_EQ(e["core"]["kept"], true);
  EXPECT_EQ(e["core"]["name"], "vmcore.flat.zst");
  EXPECT_EQ(e["core"]["format"], "flat-zstd");
  EXPECT_EQ(e["core"]["size"], artifact_named(m, "vmcore.flat.zst")["size"]);

  expect_core_reads_back((dir / "vmcore.flat.zst").string(), read_file((dir / "dmesg.txt").string()), d.path());

  // Against the default core of the same vmcore: smaller (docs/filter.md: about 0.8x at -d 31).
  const std::string flat_conf = d.file("flat.conf");
  write_file(flat_conf, std::string(kHeader) + "[destination disk]\nurl = file://" + d.file("flat") + "\n");
  auto f = run_vmcap({"capture", "--config", flat_conf, "--vmcore", vmcore(GetParam()).string()});
  ASSERT_EQ(f.status, 0) << f.err;
  json fm = manifest_in(only_capture_dir(d.file("flat")));
  EXPECT_EQ(fm["dump"]["core_format"], "flattened-kdump");
  const uint64_t zst = artifact_named(m, "vmcore.flat.zst")["size"], flat = artifact_named(fm, "vmcore.flat")["size"];
  std::printf("%s: vmcore.flat %llu bytes, vmcore.flat.zst %llu bytes (%.3fx)\n", GetParam().c_str(),
              (unsigned long long)flat, (unsigned long long)zst, double(zst) / double(flat));
  EXPECT_LT(zst, flat);
}

INSTANTIATE_TEST_SUITE_P(Kernels, FlatZstdCaptureToFile, ::testing::Values("6.1", "6.1-arm64"),
                         [](const auto& info) {
                           std::string n = info.param;
                           for (char& c : n) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
                           return n;
                         });

TEST(FlatZstdCaptureToS3, TheCoreLandsInPartsAndReadsBack) {
  TempDir d;
  S3Server server(d.path(), kAccessKey, kSecretKey, kBucket);
  write_file(d.file("s3.access"), std::string(kAccessKey) + "\n", 0600);
  write_file(d.file("s3.secret"), std::string(kSecretKey) + "\n", 0600);
  const std::string conf = d.file("vmcap.conf");
  write_file(conf, std::string(kHeader) + "core_format = flat-zstd\nretries = 1\nretry_delay = 50ms\n"
                   "[destination s3]\nurl = s3://" + kBucket + "/dumps\nregion = us-east-1\nendpoint = " +
                   server.endpoint() + "\npath_style = yes\npart_size = 5M\naccess_key_file = " + d.file("s3.access") +
                   "\nsecret_key_file = " + d.file("s3.secret") + "\n");
  auto r = run_vmcap({"capture", "--config", conf, "--vmcore", vmcore("6.1").string()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("core: streaming vmcore.flat.zst to "), std::string::npos) << r.err;

  const std::string dir = announced_directory(r.err);
  json m = json::parse(server.get("dumps/" + dir + "/manifest.json"));
  EXPECT_EQ(m["complete"], true);
  EXPECT_EQ(m["dump"]["core_format"], "flat-zstd");
  std::vector<std::string> names;
  for (const auto& a : m["artifacts"]) {
    names.push_back(a["name"]);
    const std::string bytes = server.get("dumps/" + dir + "/" + a["name"].get<std::string>());
    EXPECT_EQ(a["size"].get<uint64_t>(), bytes.size()) << a["name"];
    EXPECT_EQ(a["sha256"].get<std::string>(), upload::sha256_hex(bytes)) << a["name"];
  }
  EXPECT_EQ(names, (std::vector<std::string>{"dmesg.txt", "dmesg.json", "vmcore.flat.zst"}));
  const std::string core = server.get("dumps/" + dir + "/vmcore.flat.zst");
  write_file(d.file("vmcore.flat.zst"), core);
  expect_core_reads_back(d.file("vmcore.flat.zst"), server.get("dumps/" + dir + "/dmesg.txt"), d.path());

  // Multipart: the 6.1 core at -d 31 is over 20 MB even in frames.
  size_t parts = 0;
  for (const auto& line : server.requests())
    if (line.find("/vmcore.flat.zst?partNumber=") != std::string::npos) ++parts;
  EXPECT_EQ(parts, (core.size() + (5u << 20) - 1) / (5u << 20));

  json e = json::parse(server.get("dumps/index/" + m["crash"]["hash"].get<std::string>() + "/" + dir + ".json"));
  EXPECT_EQ(e["core"]["name"], "vmcore.flat.zst");
  EXPECT_EQ(e["core"]["format"], "flat-zstd");
  EXPECT_EQ(e["core"]["size"], core.size());
  EXPECT_EQ(e["destination"], "s3");
}

}  // namespace
}  // namespace vmcap::testing
