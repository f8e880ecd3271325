// The /etc/vmcap.conf rules of docs/config.md, one test each.
#include <sys/stat.h>

#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "capture/config/capture_config.h"
#include "capture/config/check_config.h"
#include "capture/config/config_parser.h"
#include "capture/config/spelling.h"
#include "capture/config/value_parsers.h"
#include "tests/config/config_problem.h"
#include "tests/support/temp_dir.h"

namespace vmcap::config {
namespace {

using namespace std::chrono_literals;

class ConfigTest : public ::testing::Test {
 protected:
  std::string write(const std::string& name, const std::string& text, mode_t mode = 0600) {
    std::string path = dir_.file(name);
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
    return path;
  }
  ParsedConfig parse(const std::string& text) { return parse_config(text, "test.conf"); }
  // "LINE: message" of every problem, for readable failures.
  static std::string problems(const ParsedConfig& p) {
    std::string out;
    for (const auto& pr : p.problems) out += std::to_string(pr.line) + ": " + pr.message + "\n";
    return out;
  }
  static bool has_problem(const ParsedConfig& p, int line, const std::string& part) {
    return config::has_problem(p, line, part);
  }
  testing::TempDir dir_;
};

TEST_F(ConfigTest, EmptyFileGivesDefaults) {
  auto p = parse("");
  EXPECT_TRUE(p.ok());
  EXPECT_EQ(p.config.deadline, 15min);
  EXPECT_EQ(p.config.compression, Compression::Zstd);
  EXPECT_EQ(p.config.final_action, FinalAction::Reboot);
  EXPECT_EQ(p.config.failure_action, FinalAction::Reboot);
  EXPECT_EQ(p.config.dump_level, 31);
  EXPECT_EQ(p.config.fallback_path, "/var/crash");
  EXPECT_TRUE(p.config.destinations.empty());
}

TEST_F(ConfigTest, GlobalKeysParse) {
  auto p = parse(
      "# comment\n"
      "; another\n"
      "  dump_level = 1\n"
      "compression = zlib\n"
      "compression_level = 6\n"
      "threads = 4\n"
      "deadline = 5m\n"
      "retries = 7\n"
      "retry_delay = 250ms\n"
      "connect_timeout = 3s\n"
      "low_speed_limit = 4K\n"
      "low_speed_time = 20\n"
      "final_action = poweroff\n"
      "failure_action = shell\n"
      "hostname = web-01.example\n"
      "fallback_path = none\n"
      "log_level = debug\n");
  ASSERT_TRUE(p.ok()) << problems(p);
  const Config& c = p.config;
  EXPECT_EQ(c.dump_level, 1);
  EXPECT_EQ(c.compression, Compression::Zlib);
  EXPECT_EQ(c.compression_level, 6);
  EXPECT_EQ(c.threads, 4);
  EXPECT_EQ(c.deadline, 5min);
  EXPECT_EQ(c.retries, 7);
  EXPECT_EQ(c.retry_delay, 250ms);
  EXPECT_EQ(c.connect_timeout, 3s);
  EXPECT_EQ(c.low_speed_limit, 4096u);
  EXPECT_EQ(c.low_speed_time, 20s);
  EXPECT_EQ(c.final_action, FinalAction::Poweroff);
  EXPECT_EQ(c.failure_action, FinalAction::Shell);
  EXPECT_EQ(c.hostname, "web-01.example");
  EXPECT_EQ(c.fallback_path, "");
  EXPECT_EQ(c.log_level, LogLevel::Debug);
}

TEST_F(ConfigTest, EveryErrorIsReportedWithItsLine) {
  auto p = parse(
      "dump_level = 32\n"        // 1
      "deadline = soon\n"        // 2
      "colour = blue\n"          // 3
      "just words\n"             // 4
      "final_action = explode\n" // 5
      "retries = -1\n"           // 6
      "compression = lz4\n");    // 7
  EXPECT_EQ(p.problems.size(), 7u) << problems(p);
  EXPECT_TRUE(has_problem(p, 1, "out of range"));
  EXPECT_TRUE(has_problem(p, 2, "duration"));
  EXPECT_TRUE(has_problem(p, 3, "unknown key 'colour'"));
  EXPECT_TRUE(has_problem(p, 4, "key = value"));
  EXPECT_TRUE(has_problem(p, 5, "unknown action"));
  EXPECT_TRUE(has_problem(p, 6, "retries"));
  EXPECT_TRUE(has_problem(p, 7, "lz4"));
  // Bad values leave the defaults in place.
  EXPECT_EQ(p.config.dump_level, 31);
  EXPECT_EQ(p.config.deadline, 15min);
}

TEST_F(ConfigTest, DuplicateGlobalKeyIsAnError) {
  auto p = parse("retries = 1\nretries = 2\n");
  EXPECT_TRUE(has_problem(p, 2, "twice")) << problems(p);
  EXPECT_EQ(p.config.retries, 1);
}

TEST_F(ConfigTest, EmptyValueIsAnError) {
  EXPECT_TRUE(has_problem(parse("hostname =\n"), 1, "empty value"));
}

TEST_F(ConfigTest, CompressionLevelRangeFollowsCompression) {
  EXPECT_TRUE(parse("compression_level = 19\n").ok());
  EXPECT_EQ(parse("compression_level = -1\n").config.compression_level, -1);  // zstd's fast levels
  EXPECT_EQ(parse("").config.compression_level, 0);                            // the writer's default
  EXPECT_TRUE(has_problem(parse("compression_level = -8\n"), 1, "zstd"));
  EXPECT_TRUE(has_problem(parse("compression = zlib\ncompression_level = -1\n"), 2, "zlib"));
  EXPECT_TRUE(has_problem(parse("compression_level = 12\ncompression = zlib\n"), 1, "zlib"));
  EXPECT_TRUE(has_problem(parse("compression = none\ncompression_level = 1\n"), 2, "none"));
}

// The same rule as filter --level: compression_level_problem says why, in one place.
TEST_F(ConfigTest, CompressionLevelProblemsSayTheRange) {
  EXPECT_TRUE(has_problem(parse("compression_level = 50\n"), 1, "compression_level: 50 is out of range -7..19 for zstd"));
  EXPECT_TRUE(has_problem(parse("compression = zlib\ncompression_level = 10\n"), 2, "out of range 0..9 for zlib"));
  EXPECT_EQ(compression_level_problem(Compression::Zstd, 19), "");
  EXPECT_EQ(compression_level_problem(Compression::Zstd, -7), "");
  EXPECT_EQ(compression_level_problem(Compression::Zlib, 0), "");
  EXPECT_EQ(compression_level_problem(Compression::Zstd, 20), "out of range -7..19 for zstd");
  EXPECT_EQ(compression_level_problem(Compression::None, 3), "compression is none: no level applies");
}

// A misspelt key names the key that was meant, in every section.
TEST_F(ConfigTest, UnknownKeysSayWhatWasMeant) {
  auto p = parse(
      "compresion = zlib\n"
      "colour = blue\n"
      "[network]\n"
      "modlues = virtio_net\n"
      "[destination a]\n"
      "url = http://10.0.2.2/crash\n"
      "bearer_token_fiel = /x\n");
  EXPECT_TRUE(has_problem(p, 1, "unknown key 'compresion' (did you mean 'compression'?)")) << problems(p);
  EXPECT_TRUE(has_problem(p, 2, "unknown key 'colour'")) << problems(p);
  EXPECT_FALSE(has_problem(p, 2, "did you mean")) << problems(p);  // nothing near
  EXPECT_TRUE(has_problem(p, 4, "unknown key 'modlues' (did you mean 'modules'?)")) << problems(p);
  EXPECT_TRUE(has_problem(p, 7, "unknown key 'bearer_token_fiel' (did you mean 'bearer_token_file'?)")) << problems(p);
}

// [arm]: the capture command line's edits for `vmcap arm`.
TEST_F(ConfigTest, ArmSectionEditsTheCaptureCommandLine) {
  auto p = parse("[arm]\nappend = console=ttyS0,115200 \"dyndbg=file foo.c +p\"\nremove = quiet, mitigations\n");
  ASSERT_TRUE(p.ok()) << problems(p);
  EXPECT_EQ(p.config.arm.append, "console=ttyS0,115200 \"dyndbg=file foo.c +p\"");
  EXPECT_EQ(p.config.arm.remove, (std::vector<std::string>{"quiet", "mitigations"}));
  EXPECT_EQ(p.config.arm.line, 1);
  auto bad = parse("[arm]\nappnd = x\nremove = a\nremove = b\n[arm]\n");
  EXPECT_TRUE(has_problem(bad, 2, "[arm] unknown key 'appnd' (did you mean 'append'?)")) << problems(bad);
  EXPECT_TRUE(has_problem(bad, 4, "[arm] 'remove' given twice")) << problems(bad);
  EXPECT_TRUE(has_problem(bad, 5, "[arm] already given on line 1")) << problems(bad);
}

TEST(Spelling, NearNamesAreSuggestedFarOnesAreNot) {
  EXPECT_EQ(spelling_distance("fromat", "format"), 1u);  // a swap is one edit
  EXPECT_EQ(spelling_distance("", "abc"), 3u);
  EXPECT_EQ(spelling_distance("kitten", "sitting"), 3u);
  const std::vector<std::string> names = {"--format", "--output", "--kmsg-caller"};
  EXPECT_EQ(closest_spelling("--fromat", names), "--format");
  EXPECT_EQ(closest_spelling("--outptu", names), "--output");
  EXPECT_EQ(closest_spelling("--json", names), std::nullopt);
  EXPECT_EQ(closest_spelling("--format", names), std::nullopt);  // not misspelt
  EXPECT_EQ(closest_spelling("ab", {"abc", "xy"}), "abc");
  EXPECT_EQ(closest_spelling("ab", {"xy"}), std::nullopt);  // short words: one edit at most
  EXPECT_EQ(did_you_mean("fliter", {"info", "filter"}), " (did you mean 'filter'?)");
  EXPECT_EQ(did_you_mean("dump", {"info", "filter"}), "");
}

TEST_F(ConfigTest, DurationsAndSizes) {
  EXPECT_EQ(*parse_duration("90").value, 90s);
  EXPECT_EQ(*parse_duration("1h").value, 1h);
  EXPECT_EQ(*parse_duration("500ms").value, 500ms);
  EXPECT_FALSE(parse_duration("5 minutes").value);
  EXPECT_FALSE(parse_duration("-5s").value);
  EXPECT_EQ(*parse_size("16M").value, 16ull << 20);
  EXPECT_EQ(*parse_size("2g").value, 2ull << 30);
  EXPECT_FALSE(parse_size("1T").value);
  EXPECT_TRUE(has_problem(parse("deadline = 0s\n"), 1, "out of range"));
}

TEST_F(ConfigTest, Booleans) {
  for (const char* yes : {"yes", "true", "on", "1", "YES"}) EXPECT_TRUE(*parse_bool(yes).value) << yes;
  for (const char* no : {"no", "false", "off", "0"}) EXPECT_FALSE(*parse_bool(no).value) << no;
  EXPECT_FALSE(parse_bool("maybe").value);
}

TEST_F(ConfigTest, FileDestination) {
  auto p = parse("[destination local]\nurl = file:///var/crash/\n");
  ASSERT_TRUE(p.ok()) << problems(p);
  ASSERT_EQ(p.config.destinations.size(), 1u);
  EXPECT_EQ(p.config.destinations[0].kind, DestinationKind::File);
  EXPECT_EQ(p.config.destinations[0].path, "/var/crash");
  EXPECT_EQ(p.config.destinations[0].name, "local");
  EXPECT_TRUE(has_problem(parse("[destination x]\nurl = file://host/var\n"), 2, "file:///"));
}

TEST_F(ConfigTest, HttpDestinationWithBearerTokenAndHeaders) {
  std::string token = write("token", "s3cr3t\n");
  std::string ca = write("ca.pem", "not really a cert\n", 0644);
  auto p = parse("[destination web]\n"
                 "url = https://crash.example.com/upload/\n"
                 "method = post-multipart\n"
                 "header = X-Team: kernel\n"
                 "header = X-Site: lab 3\n"
                 "bearer_token_file = " + token + "\n"
                 "ca_file = " + ca + "\n"
                 "proxy = http://127.0.0.1:3128\n");
  ASSERT_TRUE(p.ok()) << problems(p);
  const Destination& d = p.config.destinations.at(0);
  EXPECT_EQ(d.kind, DestinationKind::Http);
  EXPECT_EQ(d.method, HttpMethod::PostMultipart);
  EXPECT_EQ(d.prefix, "upload");
  ASSERT_EQ(d.headers.size(), 2u);
  EXPECT_EQ(d.headers[1].first, "X-Site");
  EXPECT_EQ(d.headers[1].second, "lab 3");
  EXPECT_EQ(d.bearer_token.value, "s3cr3t");
  EXPECT_EQ(d.tls.ca_file, ca);
  EXPECT_FALSE(d.tls.insecure);
  EXPECT_EQ(d.proxy, "http://127.0.0.1:3128");
}

TEST_F(ConfigTest, SecretFileReadableByOthersIsRefused) {
  std::string token = write("token", "s3cr3t\n", 0644);
  auto p = parse("[destination web]\nurl = https://h/\nbearer_token_file = " + token + "\n");
  EXPECT_TRUE(has_problem(p, 3, "0600")) << problems(p);
  EXPECT_TRUE(p.config.destinations.empty());
  std::string group = write("token2", "x\n", 0640);
  EXPECT_TRUE(has_problem(parse("[destination web]\nurl = https://h/\nbearer_token_file = " + group + "\n"), 3, "0600"));
  std::string strict = write("token3", "x\n", 0400);
  EXPECT_TRUE(parse("[destination web]\nurl = https://h/\nbearer_token_file = " + strict + "\n").ok());
}

TEST_F(ConfigTest, MissingSecretFileIsAnError) {
  auto p = parse("[destination web]\nurl = https://h/\nbearer_token_file = " + dir_.file("nope") + "\n");
  EXPECT_TRUE(has_problem(p, 3, "No such file")) << problems(p);
}

TEST_F(ConfigTest, EmptySecretIsAnError) {
  std::string token = write("token", "\n");
  EXPECT_TRUE(has_problem(parse("[destination w]\nurl = https://h/\nbearer_token_file = " + token + "\n"), 3, "empty"));
}

TEST_F(ConfigTest, BasicAuthNeedsBothHalves) {
  std::string pw = write("pw", "hunter2\n");
  auto good = parse("[destination w]\nurl = https://h/\nusername = bob\npassword_file = " + pw + "\n");
  ASSERT_TRUE(good.ok()) << problems(good);
  EXPECT_EQ(good.config.destinations[0].password.value, "hunter2");
  EXPECT_TRUE(has_problem(parse("[destination w]\nurl = https://h/\nusername = bob\n"), 1, "go together"));
  std::string tok = write("tok", "t\n");
  EXPECT_TRUE(has_problem(parse("[destination w]\nurl = https://h/\nusername = bob\npassword_file = " + pw +
                                "\nbearer_token_file = " + tok + "\n"),
                          1, "choose one"));
}

TEST_F(ConfigTest, CredentialsInHeadersAreRefused) {
  EXPECT_TRUE(has_problem(parse("[destination w]\nurl = https://h/\nheader = Authorization: Bearer x\n"), 3, "credentials"));
  EXPECT_TRUE(has_problem(parse("[destination w]\nurl = https://h/\nheader = no colon\n"), 3, "Name: value"));
}

TEST_F(ConfigTest, InsecureIsExplicitAndHttpsOnly) {
  auto p = parse("[destination w]\nurl = https://h/\ninsecure = yes\n");
  ASSERT_TRUE(p.ok()) << problems(p);
  EXPECT_TRUE(p.config.destinations[0].tls.insecure);
  EXPECT_TRUE(has_problem(parse("[destination w]\nurl = http://h/\ninsecure = yes\n"), 3, "https"));
}

TEST_F(ConfigTest, S3Destination) {
  std::string ak = write("ak", "AKIDEXAMPLE\n");
  std::string sk = write("sk", "secret\n");
  auto p = parse("[destination s3]\nurl = s3://crash-bucket/dumps/prod\nregion = eu-west-1\n"
                 "access_key_file = " + ak + "\nsecret_key_file = " + sk + "\npath_style = yes\npart_size = 8M\n");
  ASSERT_TRUE(p.ok()) << problems(p);
  const Destination& d = p.config.destinations[0];
  EXPECT_EQ(d.kind, DestinationKind::S3);
  EXPECT_EQ(d.bucket, "crash-bucket");
  EXPECT_EQ(d.prefix, "dumps/prod");
  EXPECT_EQ(d.endpoint, "https://s3.eu-west-1.amazonaws.com");
  EXPECT_TRUE(d.path_style);
  EXPECT_EQ(d.part_size, 8ull << 20);
  EXPECT_EQ(d.access_key.value, "AKIDEXAMPLE");
}

TEST_F(ConfigTest, S3NeedsRegionAndKeysAndSaneParts) {
  auto p = parse("[destination s3]\nurl = s3://b/\npart_size = 1M\n");
  EXPECT_TRUE(has_problem(p, 1, "region")) << problems(p);
  EXPECT_TRUE(has_problem(p, 1, "access_key_file"));
  EXPECT_TRUE(has_problem(p, 1, "secret_key_file"));
  EXPECT_TRUE(has_problem(p, 3, "5M..5G"));
  EXPECT_TRUE(has_problem(parse("[destination s3]\nurl = s3://Bad_Bucket/\n"), 2, "bucket"));
}

TEST_F(ConfigTest, SftpDestination) {
  std::string key = write("id", "-----BEGIN OPENSSH PRIVATE KEY-----\n");
  std::string kh = write("known_hosts", "[127.0.0.1]:2222 ssh-ed25519 AAAA\n", 0644);
  auto p = parse("[destination ssh]\nurl = sftp://crash@127.0.0.1:2222/srv/crash\nidentity_file = " + key +
                 "\nknown_hosts = " + kh + "\n");
  ASSERT_TRUE(p.ok()) << problems(p);
  EXPECT_EQ(p.config.destinations[0].kind, DestinationKind::Sftp);
  EXPECT_EQ(p.config.destinations[0].prefix, "srv/crash");
  EXPECT_TRUE(has_problem(parse("[destination ssh]\nurl = sftp://h/x\n"), 2, "USER@HOST"));
  auto missing = parse("[destination ssh]\nurl = sftp://u@h/x\n");
  EXPECT_TRUE(has_problem(missing, 1, "known_hosts")) << problems(missing);
  EXPECT_TRUE(has_problem(missing, 1, "identity_file"));
  std::string open_key = write("id2", "key\n", 0644);
  EXPECT_TRUE(has_problem(parse("[destination ssh]\nurl = sftp://u@h/x\nidentity_file = " + open_key + "\nknown_hosts = " + kh + "\n"),
                          3, "0600"));
}

TEST_F(ConfigTest, KeysThatDoNotApplyToTheKindAreErrors) {
  auto p = parse("[destination local]\nurl = file:///x\nregion = eu-west-1\nmethod = put\nbogus = 1\n");
  EXPECT_TRUE(has_problem(p, 3, "does not apply")) << problems(p);
  EXPECT_TRUE(has_problem(p, 4, "does not apply"));
  EXPECT_TRUE(has_problem(p, 5, "unknown key 'bogus'"));
  EXPECT_TRUE(p.config.destinations.empty());
}

TEST_F(ConfigTest, SectionRules) {
  EXPECT_TRUE(has_problem(parse("[global]\n"), 1, "[destination NAME]"));
  EXPECT_TRUE(has_problem(parse("[destination a b]\n"), 1, "[destination NAME]"));
  EXPECT_TRUE(has_problem(parse("[destination x\n"), 1, "']'"));
  EXPECT_TRUE(has_problem(parse("[destination x]\n"), 1, "no url"));
  auto dup = parse("[destination x]\nurl = file:///a\n[destination x]\nurl = file:///b\n");
  EXPECT_TRUE(has_problem(dup, 3, "already defined on line 1"));
  auto twice = parse("[destination x]\nurl = file:///a\nurl = file:///b\n");
  EXPECT_TRUE(has_problem(twice, 3, "twice"));
  EXPECT_TRUE(has_problem(parse("[destination x]\nurl = gopher://h/\n"), 2, "unsupported scheme"));
}

TEST_F(ConfigTest, DestinationsOrder) {
  std::string text = "destinations = b, a\n[destination a]\nurl = file:///a\n[destination b]\nurl = file:///b\n";
  auto p = parse(text);
  ASSERT_TRUE(p.ok()) << problems(p);
  ASSERT_EQ(p.config.destinations.size(), 2u);
  EXPECT_EQ(p.config.destinations[0].name, "b");
  EXPECT_EQ(p.config.destinations[1].name, "a");
  auto undefined = parse("destinations = a c\n[destination a]\nurl = file:///a\n");
  EXPECT_TRUE(has_problem(undefined, 1, "'c' has no"));
  auto unlisted = parse("destinations = a\n[destination a]\nurl = file:///a\n[destination b]\nurl = file:///b\n");
  EXPECT_TRUE(has_problem(unlisted, 4, "not in 'destinations'"));
  auto file_order = parse("[destination z]\nurl = file:///z\n[destination y]\nurl = file:///y\n");
  EXPECT_EQ(file_order.config.destinations.at(0).name, "z");
}

TEST_F(ConfigTest, BrokenDestinationIsDroppedOthersKept) {
  auto p = parse("retries = 9\nderp = 1\n"
                 "[destination good]\nurl = file:///good\n"
                 "[destination bad]\nurl = https://h/\nmethod = telepathy\n");
  EXPECT_EQ(p.problems.size(), 2u) << problems(p);
  ASSERT_EQ(p.config.destinations.size(), 1u);
  EXPECT_EQ(p.config.destinations[0].name, "good");
  EXPECT_EQ(p.config.retries, 9);
}

TEST_F(ConfigTest, CaptureFallsBackToDefaultsAndGoodDestinations) {
  std::string path = write("vmcap.conf",
                           "deadline = forever\nfinal_action = poweroff\n"
                           "[destination good]\nurl = file:///good\n"
                           "[destination bad]\nurl = sftp://nobody/\n");
  CaptureConfig c = load_config_for_capture(path);
  EXPECT_TRUE(c.degraded());
  EXPECT_EQ(c.problems.size(), 2u);
  EXPECT_NE(c.problems[0].find(path + ":1:"), std::string::npos) << c.problems[0];
  EXPECT_EQ(c.config.deadline, 15min);
  EXPECT_EQ(c.config.final_action, FinalAction::Poweroff);
  ASSERT_EQ(c.config.destinations.size(), 1u);
  EXPECT_EQ(c.config.destinations[0].name, "good");
}

TEST_F(ConfigTest, CaptureWithoutAFileUsesDefaults) {
  CaptureConfig c = load_config_for_capture(dir_.file("missing.conf"));
  EXPECT_TRUE(c.degraded());
  EXPECT_EQ(c.config.final_action, FinalAction::Reboot);
  EXPECT_TRUE(c.config.destinations.empty());
  EXPECT_EQ(c.config.fallback_path, "/var/crash");
}

TEST_F(ConfigTest, CheckConfigPrintsEveryProblemAndFails) {
  std::string token = write("token", "very-secret-token\n");
  std::string path = write("vmcap.conf",
                           "retries = many\n[destination w]\nurl = https://h/\nbearer_token_file = " + token +
                               "\nspeed = 11\n");
  std::ostringstream out;
  EXPECT_EQ(run_check_config(path, out), 2);
  EXPECT_NE(out.str().find(path + ":1: retries"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find(path + ":5: [destination w] unknown key 'speed'"), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find("very-secret-token"), std::string::npos);
}

TEST_F(ConfigTest, CheckConfigAcceptsAGoodFile) {
  std::string token = write("token", "very-secret-token\n");
  std::string path = write("vmcap.conf", "[destination w]\nurl = https://h/\nbearer_token_file = " + token + "\n");
  std::ostringstream out;
  EXPECT_EQ(run_check_config(path, out), 0) << out.str();
  EXPECT_NE(out.str().find("destination w: http https://h/"), std::string::npos) << out.str();
  EXPECT_EQ(out.str().find("very-secret-token"), std::string::npos);
  std::ostringstream missing;
  EXPECT_EQ(run_check_config(dir_.file("nope"), missing), 2);
}

}  // namespace
}  // namespace vmcap::config

namespace vmcap::config {
namespace {

// The shipped example is valid but for the secret and key files it names, which do not
// exist on a test machine.
TEST(ConfigExample, OnlyMissingFilesAreReported) {
  auto loaded = load_config(VMCAP_SOURCE_DIR "/docs/vmcap.conf.example");
  ASSERT_TRUE(loaded) << loaded.error().message();
  ASSERT_FALSE(loaded->problems.empty());
  for (const auto& p : loaded->problems)
    EXPECT_NE(p.message.find("No such file"), std::string::npos) << p.line << ": " << p.message;
  EXPECT_EQ(loaded->config.destinations.size(), 1u);  // local needs no files
  EXPECT_EQ(loaded->config.threads, 0);
}

}  // namespace
}  // namespace vmcap::config

namespace vmcap::config {
namespace {

TEST(ConfigPstore, YesNoAndGarbage) {
  EXPECT_FALSE(parse_config("", "t.conf").config.pstore) << "off unless asked";
  auto yes = parse_config("pstore = yes\n", "t.conf");
  EXPECT_TRUE(yes.ok());
  EXPECT_TRUE(yes.config.pstore);
  auto bad = parse_config("pstore = maybe\n", "t.conf");
  ASSERT_EQ(bad.problems.size(), 1u);
  EXPECT_EQ(bad.problems[0].line, 1);
  EXPECT_NE(bad.problems[0].message.find("pstore: "), std::string::npos) << bad.problems[0].message;
  auto typo = parse_config("pstroe = yes\n", "t.conf");
  ASSERT_EQ(typo.problems.size(), 1u);
  EXPECT_NE(typo.problems[0].message.find("did you mean 'pstore'"), std::string::npos) << typo.problems[0].message;
}

}  // namespace
}  // namespace vmcap::config
