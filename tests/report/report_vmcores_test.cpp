// `vmcap report` end to end (issue 19, docs/report.md): captures of the real test vmcores
// (5.10, 6.1, 6.12 share the sysrq crash's signature; arm64's 6.1 is another bug; a
// truncated 6.1 has no signature) made with `vmcap capture` into a file folder and the
// SigV4-checking S3 server, then reported in text, JSON and HTML. The page is loaded in
// headless Chromium: its groups, counts and captures read from the browser's DOM, a group
// opened by its link's fragment, and a screenshot taken (report-vmcores.png beside the
// test binary, to look at).
#include <filesystem>
#include <fstream>
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

constexpr char kHeader[] =
    "final_action = none\nfailure_action = none\nfallback_path = none\nretries = 1\nretry_delay = 50ms\n"
    "cores_per_signature = 1\n";

struct Capture {
  std::string dir;
  json manifest;
};

std::string announced_directory(const std::string& console) {
  std::smatch m;
  if (!std::regex_search(console, m, std::regex(R"(, capture ([A-Za-z0-9._-]+-[0-9]{8}T[0-9]{6}Z-[0-9a-f]{8}))")))
    return "";
  return m[1];
}

std::string capture_dir(const std::string& conf, const std::string& vmcore_path) {
  RunResult r = run_vmcap({"capture", "--config", conf, "--vmcore", vmcore_path});
  EXPECT_LE(r.status, 2) << r.err;  // a damaged dump's capture is partial (1), or keeps no core and no log (2)
  std::string dir = announced_directory(r.err);
  EXPECT_FALSE(dir.empty()) << r.err;
  return dir;
}

std::string hash_of(const json& m) { return m["crash"].is_object() ? m["crash"]["hash"].get<std::string>() : ""; }

size_t count_of(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

std::vector<std::string> chromium(const std::string& profile) {
  return {"chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
          "--disable-background-networking", "--disable-component-update", "--disable-sync",
          "--user-data-dir=" + profile};
}

const json& group(const json& report, const std::string& signature) {
  for (const json& g : report["groups"])
    if (g["signature"] == signature) return g;
  ADD_FAILURE() << "no group " << signature << " in\n" << report.dump(2);
  static const json none = json::object();
  return none;
}

TEST(ReportVmcores, GroupsRealCapturesOnAFileDestinationInEveryFormat) {
  TempDir d;
  const std::string conf = d.file("vmcap.conf");
  const fs::path out = d.file("out");
  write_file(conf, std::string(kHeader) + "[destination out]\nurl = file://" + out.string() + "\n");
  // A damaged dump: the first 4 MiB of 6.1's (no VMCOREINFO's log: no signature).
  {
    std::ifstream in(vmcore("6.1"), std::ios::binary);
    std::string head(4 << 20, '\0');
    in.read(head.data(), head.size());
    write_file(d.file("truncated.vmcore"), head);
  }
  std::vector<std::string> dirs;
  for (const std::string& k : {"6.1", "6.1", "5.10", "6.12", "6.1-arm64"}) dirs.push_back(capture_dir(conf, vmcore(k).string()));
  dirs.push_back(capture_dir(conf, d.file("truncated.vmcore")));
  ASSERT_EQ(dirs.size(), 6u);
  std::vector<json> m;
  for (const auto& dir : dirs) m.push_back(manifest_in(out / dir));
  const std::string x86 = hash_of(m[0]), arm = hash_of(m[4]);
  ASSERT_FALSE(x86.empty());
  ASSERT_EQ(hash_of(m[2]), x86);
  ASSERT_EQ(hash_of(m[3]), x86);
  ASSERT_NE(arm, x86);
  ASSERT_EQ(hash_of(m[5]), "");
  // What else lands in a store: a key that is not ours, an entry that is garbage.
  write_file((out / "index" / "README").string(), "not an entry\n");
  write_file((out / "index" / x86 / "web-9-20261201T000000Z-0badc0de.json").string(), "{\"schema\": \"vmcap-ind");

  // Text.
  RunResult text = run_vmcap({"report", "--config", conf});
  ASSERT_EQ(text.status, 0) << text.err;
  EXPECT_NE(text.out.find("6 entries in 3 groups; skipped: 1 key not ours, 1 bad entry, 0 unreadable"), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find(x86 + "  4 crashes"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find(arm + "  1 crash,"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("unknown  1 crash,"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("cores:   1 kept: " + dirs[0]), std::string::npos) << text.out;
  std::cout << text.out;

  // JSON, by URL this time.
  RunResult js = run_vmcap({"report", "--destination", "file://" + out.string(), "--format", "json"});
  ASSERT_EQ(js.status, 0) << js.err;
  json r = json::parse(js.out);
  EXPECT_EQ(r["schema"], "vmcap-report/1");
  EXPECT_EQ(r["summary"]["entries"], 6);
  EXPECT_EQ(r["summary"]["groups"], 3);
  EXPECT_EQ(r["summary"]["not_ours"], 1);
  EXPECT_EQ(r["summary"]["bad"], 1);
  ASSERT_EQ(r["groups"].size(), 3u);
  EXPECT_EQ(r["groups"][0]["signature"], x86);  // the most crashes first
  const json& gx = group(r, x86);
  EXPECT_EQ(gx["count"], 4);
  EXPECT_EQ(gx["reason"], m[0]["crash"]["reason"]);
  EXPECT_EQ(gx["frames"].size(), m[3]["crash"]["frames"].size());
  EXPECT_EQ(gx["cores_kept"], 1);  // cores_per_signature = 1: the first 6.1 capture's
  ASSERT_EQ(gx["core_captures"].size(), 1u);
  EXPECT_EQ(gx["core_captures"][0]["directory"], dirs[0]);
  EXPECT_EQ(gx["latest_captures"].size(), 4u);
  std::map<std::string, int> kernels;
  for (const json& k : gx["kernels"]["listed"]) kernels[k["name"]] = k["count"];
  EXPECT_EQ(kernels.size(), 3u);
  EXPECT_EQ(kernels[m[0]["kernel"]["release"]], 2);
  EXPECT_EQ(kernels[m[2]["kernel"]["release"]], 1);
  EXPECT_EQ(kernels[m[3]["kernel"]["release"]], 1);
  EXPECT_EQ(gx["log_tail"]["source"], "index");
  EXPECT_FALSE(gx["log_tail"]["lines"].empty());
  const json& ga = group(r, arm);
  EXPECT_EQ(ga["count"], 1);
  EXPECT_EQ(ga["cores_kept"], 1);
  EXPECT_EQ(ga["kernels"]["listed"][0]["name"], m[4]["kernel"]["release"]);
  const json& gu = group(r, "unknown");
  EXPECT_EQ(gu["count"], 1);
  EXPECT_EQ(gu["reason"], "");
  EXPECT_EQ(gu["latest_captures"][0]["directory"], dirs[5]);

  // --since after every crash: nothing grouped, every entry counted as older.
  RunResult later = run_vmcap({"report", "--config", conf, "--since", "2099-01-01", "--format", "json"});
  ASSERT_EQ(later.status, 0) << later.err;
  json rl = json::parse(later.out);
  EXPECT_EQ(rl["summary"]["groups"], 0);
  EXPECT_EQ(rl["summary"]["before_since"], 6);
  EXPECT_EQ(run_vmcap({"report", "--config", conf, "--since", "last tuesday"}).status, 64);

  // HTML, in a real browser.
  const std::string page = d.file("report.html");
  RunResult html = run_vmcap({"report", "--config", conf, "--format", "html", "-o", page});
  ASSERT_EQ(html.status, 0) << html.err;
  EXPECT_NE(html.err.find("6 entries in 3 groups"), std::string::npos) << html.err;
  TempDir profile;
  auto dump = chromium(profile.path());
  dump.push_back("--dump-dom");
  dump.push_back("file://" + page + "#c-" + x86);  // what a click on the group's signature opens
  RunResult dom = run_command(dump);
  ASSERT_EQ(dom.status, 0) << dom.err;
  EXPECT_EQ(count_of(dom.out, "<tbody class=\"group\""), 3u) << dom.out;
  EXPECT_NE(dom.out.find("<details id=\"d-" + x86 + "\" open=\"\">"), std::string::npos) << dom.out;
  EXPECT_NE(dom.out.find("<details id=\"d-" + arm + "\">"), std::string::npos);  // the others stay closed
  EXPECT_NE(dom.out.find("<details id=\"d-unknown\">"), std::string::npos);
  EXPECT_NE(dom.out.find("<td class=\"count\">4</td>"), std::string::npos);
  EXPECT_EQ(count_of(dom.out, "<td class=\"count\">1</td>"), 2u);
  EXPECT_NE(dom.out.find("6 entries in 3 groups"), std::string::npos);
  for (const auto& dir : dirs) EXPECT_NE(dom.out.find(dir), std::string::npos) << dir;
  // A screenshot of the page with the group open, to look at (and not empty).
  const std::string png = fs::absolute("report-vmcores.png").string();
  fs::remove(png);
  auto shot = chromium(profile.path() + "-shot");
  shot.push_back("--screenshot=" + png);
  shot.push_back("--window-size=1400,1100");
  shot.push_back("file://" + page + "#c-" + x86);
  RunResult s = run_command(shot);
  ASSERT_EQ(s.status, 0) << s.err;
  const std::string bytes = read_file(png);
  EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
  EXPECT_GT(bytes.size(), 20000u);
  std::cout << "screenshot: " << png << " (" << bytes.size() << " bytes)\n";
  fs::remove_all(profile.path() + "-shot");
}

constexpr char kAccessKey[] = "VMCAPREPORTKEY";
constexpr char kSecretKey[] = "report-secret-9a8b7c";

TEST(ReportVmcores, ReadsAnS3IndexWithTheConfigsCredentials) {
  TempDir d;
  S3Server server(d.path(), kAccessKey, kSecretKey, "crashes");
  write_file(d.file("s3.access"), std::string(kAccessKey) + "\n", 0600);
  write_file(d.file("s3.secret"), std::string(kSecretKey) + "\n", 0600);
  const std::string conf = d.file("vmcap.conf");
  write_file(conf, std::string(kHeader) + "[destination s3]\nurl = s3://crashes/dumps\nregion = us-east-1\nendpoint = " +
                       server.endpoint() + "\npath_style = yes\naccess_key_file = " + d.file("s3.access") +
                       "\nsecret_key_file = " + d.file("s3.secret") + "\n");
  std::vector<std::string> dirs;
  for (const std::string& k : {"6.1", "6.12", "6.1-arm64"}) dirs.push_back(capture_dir(conf, vmcore(k).string()));
  const json m0 = json::parse(server.get("dumps/" + dirs[0] + "/manifest.json"));
  const json m2 = json::parse(server.get("dumps/" + dirs[2] + "/manifest.json"));

  RunResult js = run_vmcap({"report", "--config", conf, "--destination", "s3", "--format", "json"});
  ASSERT_EQ(js.status, 0) << js.err;
  json r = json::parse(js.out);
  EXPECT_EQ(r["summary"]["entries"], 3);
  EXPECT_EQ(r["summary"]["complete"], true);
  const json& gx = group(r, hash_of(m0));
  EXPECT_EQ(gx["count"], 2);
  EXPECT_EQ(gx["cores_kept"], 1);
  EXPECT_EQ(gx["core_captures"][0]["directory"], dirs[0]);
  EXPECT_EQ(gx["core_captures"][0]["destination"], "s3");
  EXPECT_EQ(group(r, hash_of(m2))["count"], 1);
  // The index was listed with signed ListObjectsV2 requests under the prefix.
  size_t lists = 0;
  for (const auto& line : server.requests())
    if (line.find("list-type=2") != std::string::npos && line.find("prefix=dumps%2Findex%2F") != std::string::npos) {
      ++lists;
      EXPECT_EQ(line.substr(line.size() - 4), " 200") << line;
    }
  EXPECT_GE(lists, 1u);

  // A wrong secret: the index cannot be read, and the report says so.
  write_file(d.file("s3.secret"), "wrong\n", 0600);
  RunResult refused = run_vmcap({"report", "--config", conf});
  EXPECT_EQ(refused.status, 2);
  EXPECT_NE(refused.err.find("cannot read the index of s3"), std::string::npos) << refused.err;
}

TEST(ReportVmcores, ReadsAnSftpIndex) {
  TempDir d, server_dir;
  SshdServer sshd(server_dir.path());
  const std::string conf = d.file("vmcap.conf");
  write_file(conf, std::string(kHeader) + "[destination sftp]\nurl = sftp://" + sshd.user() + "@127.0.0.1:" +
                       std::to_string(sshd.port()) + d.file("store") + "\nidentity_file = " + sshd.client_key() +
                       "\nknown_hosts = " + sshd.known_hosts(false) + "\n");
  std::vector<std::string> dirs;
  for (const std::string& k : {"6.1", "6.1", "6.1-arm64"}) dirs.push_back(capture_dir(conf, vmcore(k).string()));
  const json m0 = manifest_in(fs::path(d.file("store")) / dirs[0]);
  RunResult js = run_vmcap({"report", "--config", conf, "--format", "json"});
  ASSERT_EQ(js.status, 0) << js.err;
  json r = json::parse(js.out);
  EXPECT_EQ(r["summary"]["entries"], 3);
  EXPECT_EQ(r["summary"]["groups"], 2);
  const json& gx = group(r, hash_of(m0));
  EXPECT_EQ(gx["count"], 2);
  EXPECT_EQ(gx["cores_kept"], 1);
  EXPECT_EQ(gx["core_captures"][0]["directory"], dirs[0]);
}

}  // namespace
}  // namespace vmcap::testing
