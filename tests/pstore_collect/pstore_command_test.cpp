// `vmcap pstore` over a folder of records made in the test (the kernel's place is mounted;
// any other folder is read as it is), with a file:// destination: what is sent, what is
// deleted and when, --keep, --dry-run, and a destination that takes nothing.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "pstore/collect/pstore_command.h"
#include "pstore/collect/pstore_files.h"
#include "tests/initramfs/archive_tools.h"
#include "tests/support/progress_console.h"
#include "tests/support/temp_dir.h"

namespace vmcap::pstore {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

using Console = testing::ProgressConsole;

struct Machine {
  testing::TempDir dir;
  PstoreOptions options;
  std::string records = dir.file("pstore");
  std::string out = dir.file("out");
  Machine(const std::string& url_path = "") {
    fs::create_directories(records);
    const std::string where = url_path.empty() ? out : url_path;
    testing::write_whole_file(dir.file("vmcap.conf"), "hostname = box\n[destination d]\nurl = file://" + where + "\n");
    options.config_path = dir.file("vmcap.conf");
    options.dir = records;
    options.state_path = dir.file("state/pstore-sent.json");
    record("dmesg-ramoops-0",
           "Panic#1 Part1\n<6>[    0.100000] Linux version 6.1.0-50-amd64 (x) #1 SMP\n"
           "<12>[    0.900000] vmcap-e2e marker\n<0>[    1.000000] Kernel panic - not syncing: test crash\n");
    record("console-ramoops-0", "the previous boot's console\n");
  }
  void record(const std::string& name, const std::string& bytes) {
    testing::write_whole_file(records + "/" + name, bytes);
    struct timespec t[2] = {{1765000000, 0}, {1765000000, 0}};
    ::utimensat(AT_FDCWD, (records + "/" + name).c_str(), t, 0);
  }
  std::vector<fs::path> captures() const {
    std::vector<fs::path> v;
    if (fs::exists(out))
      for (const auto& e : fs::directory_iterator(out))
        if (e.path().filename() != "index") v.push_back(e.path());  // index/: the crash index
    return v;
  }
};

TEST(PstoreCommand, SendsTheDumpThenDeletesItsRecords) {
  Machine m;
  Console c;
  EXPECT_EQ(run_pstore(m.options, c.progress), kPstoreOk) << c.str();
  auto caps = m.captures();
  ASSERT_EQ(caps.size(), 1u) << c.str();
  EXPECT_EQ(caps[0].filename().string().rfind("box-20251206T054640Z-", 0), 0u) << caps[0];
  auto manifest = nlohmann::json::parse(read_file(caps[0] / "manifest.json"));
  EXPECT_EQ(manifest["source"], "pstore");
  EXPECT_EQ(manifest["complete"], true);
  EXPECT_TRUE(manifest["dump"].is_null());
  EXPECT_EQ(manifest["kernel"]["release"], "6.1.0-50-amd64");
  EXPECT_EQ(manifest["crash"]["reason"], "Kernel panic - not syncing: test crash");
  EXPECT_EQ(manifest["pstore"]["backend"], "ramoops");
  EXPECT_EQ(manifest["pstore"]["reason"], "Panic");
  EXPECT_EQ(manifest["pstore"]["records"].size(), 1u);
  EXPECT_EQ(manifest["artifacts"].size(), 3u) << "dmesg.txt, dmesg.json, console.txt";
  EXPECT_EQ(read_file(caps[0] / "dmesg.txt"),
            "[    0.100000] Linux version 6.1.0-50-amd64 (x) #1 SMP\n[    0.900000] vmcap-e2e marker\n"
            "[    1.000000] Kernel panic - not syncing: test crash\n");
  EXPECT_NE(read_file(caps[0] / "dmesg.json").find("{\"ts_nsec\":900000000,\"level\":4,\"facility\":1,\"text\":\"vmcap-e2e marker\"}"),
            std::string::npos);
  EXPECT_EQ(read_file(caps[0] / "console.txt"), "the previous boot's console\n");
  EXPECT_TRUE(fs::is_empty(m.records)) << "the dump's records and the console record deleted";
  EXPECT_NE(c.str().find("deleted its 2 record(s)"), std::string::npos) << c.str();
  Console again;
  EXPECT_EQ(run_pstore(m.options, again.progress), kPstoreOk);
  EXPECT_NE(again.str().find("no records in"), std::string::npos) << again.str();
}

TEST(PstoreCommand, KeepSendsOnceAndDeletesNothing) {
  Machine m;
  m.options.keep = true;
  {
    Console c;
    EXPECT_EQ(run_pstore(m.options, c.progress), kPstoreOk) << c.str();
  }
  EXPECT_EQ(m.captures().size(), 1u);
  EXPECT_TRUE(fs::exists(m.records + "/dmesg-ramoops-0"));
  {
    Console c;
    EXPECT_EQ(run_pstore(m.options, c.progress), kPstoreOk) << c.str();
    EXPECT_NE(c.str().find("sent by an earlier run: not sent again"), std::string::npos) << c.str();
  }
  EXPECT_EQ(m.captures().size(), 1u) << "nothing sent twice";
  // Without --keep, what was sent is deleted and not sent again.
  m.options.keep = false;
  Console c;
  EXPECT_EQ(run_pstore(m.options, c.progress), kPstoreOk) << c.str();
  EXPECT_NE(c.str().find("sent by an earlier run: deleted its 2 record(s)"), std::string::npos) << c.str();
  EXPECT_EQ(m.captures().size(), 1u);
  EXPECT_TRUE(fs::is_empty(m.records));
}

TEST(PstoreCommand, ADryRunSendsAndDeletesNothing) {
  Machine m;
  m.options.dry_run = true;
  Console c;
  EXPECT_EQ(run_pstore(m.options, c.progress), kPstoreOk) << c.str();
  EXPECT_NE(c.str().find("dry run: would send box-"), std::string::npos) << c.str();
  EXPECT_TRUE(m.captures().empty());
  EXPECT_TRUE(fs::exists(m.records + "/dmesg-ramoops-0"));
}

TEST(PstoreCommand, ADestinationThatTakesNothingLeavesTheRecords) {
  Machine m("/proc/vmcap-no-such-place");
  Console c;
  EXPECT_EQ(run_pstore(m.options, c.progress), kPstoreNotAllSaved) << c.str();
  EXPECT_NE(c.str().find("NOT SAVED: no destination took"), std::string::npos) << c.str();
  EXPECT_TRUE(fs::exists(m.records + "/dmesg-ramoops-0"));
  EXPECT_TRUE(fs::exists(m.records + "/console-ramoops-0"));
}

// kdump saved the same crash to the local destination: the pstore capture names it.
TEST(PstoreCommand, TheVmcoreCaptureOfTheSameCrashIsNamed) {
  Machine m;
  // What the capture kernel left for this crash (same signature: the sysrq crash's frames),
  // an older one of another crash, and one of the same crash but days away.
  auto vmcore = [&](const std::string& name, const std::string& hash, int64_t t) {
    fs::create_directories(m.out + "/" + name);
    testing::write_whole_file(m.out + "/" + name + "/manifest.json",
                              "{\"schema\":\"vmcap-manifest/1\",\"source\":\"vmcore\",\"crash_time_unix\":" +
                                  std::to_string(t) + ",\"crash\":{\"hash\":\"" + hash + "\"}}");
  };
  m.record("dmesg-ramoops-0",
           "Panic#1 Part1\n<0>[    1.000000] Kernel panic - not syncing: sysrq triggered crash\n"
           "<4>[    1.000001] Call Trace:\n<4>[    1.000002]  <TASK>\n<4>[    1.000003]  sysrq_handle_crash+0x16/0x20\n"
           "<4>[    1.000004]  __handle_sysrq+0x8b/0x160\n<4>[    1.000005]  </TASK>\n");
  {
    Machine probe;  // the signature this text gives, from a capture of it
    probe.record("dmesg-ramoops-0", read_file(m.records + "/dmesg-ramoops-0"));
    Console c;
    ASSERT_EQ(run_pstore(probe.options, c.progress), kPstoreOk) << c.str();
    auto caps = probe.captures();
    ASSERT_EQ(caps.size(), 1u);
    auto hash = nlohmann::json::parse(read_file(caps[0] / "manifest.json"))["crash"]["hash"].get<std::string>();
    ASSERT_FALSE(hash.empty());
    vmcore("box-20251206T054641Z-11111111", hash, 1765000001);
    vmcore("box-20251206T050000Z-22222222", "0000000000000000", 1764997200);
    vmcore("box-20251203T050000Z-33333333", hash, 1764738000);
  }
  Console c;
  EXPECT_EQ(run_pstore(m.options, c.progress), kPstoreOk) << c.str();
  EXPECT_NE(c.str().find("kdump saved this crash too: box-20251206T054641Z-11111111"), std::string::npos) << c.str();
  std::string pstore_capture;
  for (const auto& p : m.captures())
    if (fs::exists(p / "dmesg.txt")) pstore_capture = p;
  ASSERT_FALSE(pstore_capture.empty());
  auto manifest = nlohmann::json::parse(read_file(fs::path(pstore_capture) / "manifest.json"));
  EXPECT_EQ(manifest["pstore"]["vmcore_capture"], "box-20251206T054641Z-11111111");
}

// Garbage beside an intact record: the intact one goes out, every problem is in the
// manifest, and nothing is deleted that was not sent whole.
TEST(PstoreCommand, BadRecordsAreSaidAndNothingUnsentIsDeleted) {
  Machine m;
  m.record("not-a-record", "x");                                  // no record's name
  m.record("dmesg-erst-7716398820212342785", "Panic#1 PartX\n<0>[ 1.0] no part number\n");
  m.options.max_record_bytes = 64 << 10;  // the default is 64 MiB: the same rule, smaller
  std::string huge = "Oops#1 Part1\n";
  while (huge.size() <= m.options.max_record_bytes + 10) huge += "<4>[    2.000000] a line of a huge record\n";
  m.record("dmesg-efi-176500000001001", huge);                    // read only in part
  fs::create_directories(m.records + "/dmesg-ramoops-7");         // not a regular file
  Console c;
  EXPECT_EQ(run_pstore(m.options, c.progress), kPstoreOk) << c.str();
  std::string problems;
  size_t sent = 0;
  for (const auto& p : m.captures()) {
    auto j = nlohmann::json::parse(read_file(p / "manifest.json"));
    ++sent;
    for (const auto& x : j["problems"]) problems += x.get<std::string>() + "\n";
  }
  EXPECT_EQ(sent, 3u) << "the ramoops dump, the ERST record kept as bytes, the huge EFI one: " << c.str();
  EXPECT_NE(problems.find("not-a-record"), std::string::npos) << problems;
  EXPECT_NE(problems.find("dmesg-ramoops-7: not a regular file"), std::string::npos) << problems;
  EXPECT_NE(problems.find("dmesg-erst-7716398820212342785"), std::string::npos) << problems;
  EXPECT_NE(problems.find("dmesg-efi-176500000001001 was read only in part: kept in"), std::string::npos) << problems;
  EXPECT_FALSE(fs::exists(m.records + "/dmesg-ramoops-0")) << "sent whole: deleted";
  EXPECT_FALSE(fs::exists(m.records + "/dmesg-erst-7716398820212342785")) << "sent as its bytes: deleted";
  EXPECT_TRUE(fs::exists(m.records + "/dmesg-efi-176500000001001")) << "read in part: kept";
  EXPECT_TRUE(fs::exists(m.records + "/not-a-record"));
}

// Two crashes of a backend without ids (pstore_blk, mtdpstore) on two boots, both
// "Panic#1 Part1": grouped as one dump, but the second record's text is sent too.
TEST(PstoreCommand, ASecondRecordOfAPartIsSentNotLost) {
  Machine m;
  m.record("dmesg-pstore_blk-1", "Panic#1 Part1\n<0>[    1.000000] SECRET-A Kernel panic - not syncing: a\n");
  m.record("dmesg-pstore_blk-2", "Panic#1 Part1\n<0>[    2.000000] Kernel panic - not syncing: the second crash, longer\n");
  Console c;
  EXPECT_EQ(run_pstore(m.options, c.progress), kPstoreOk) << c.str();
  std::string all;
  for (const auto& p : m.captures())
    for (const auto& f : fs::directory_iterator(p)) all += read_file(f.path());
  EXPECT_NE(all.find("SECRET-A"), std::string::npos) << "the first crash's text is in a capture: " << c.str();
  EXPECT_FALSE(fs::exists(m.records + "/dmesg-pstore_blk-1"));
}

// --keep: the console record changes at every boot; the dump sent before is not sent again.
TEST(PstoreCommand, KeepDoesNotResendADumpForANewConsole) {
  Machine m;
  m.options.keep = true;
  {
    Console c;
    EXPECT_EQ(run_pstore(m.options, c.progress), kPstoreOk) << c.str();
  }
  m.record("console-ramoops-0", "the console of another boot\n");
  Console c;
  EXPECT_EQ(run_pstore(m.options, c.progress), kPstoreOk) << c.str();
  EXPECT_NE(c.str().find("sent by an earlier run: not sent again"), std::string::npos) << c.str();
  EXPECT_EQ(m.captures().size(), 1u);
}

// Records of other types (pmsg, mce...) are sent and deleted too: with no crash log, as a
// capture of their own (systemd-pstore, which would have taken them, is skipped for vmcap).
// A record time past 2262 (the crashing kernel wrote it) is clamped, not overflowed.
TEST(PstoreCommand, OtherRecordsAreSentAndTimesAreClamped) {
  Machine m;
  fs::remove(m.records + "/dmesg-ramoops-0");
  fs::remove(m.records + "/console-ramoops-0");
  m.record("pmsg-ramoops-0", "user space said this\n");
  m.record("mce-erst-7716398820212342785", std::string("\x01\x02mce", 5));
  struct timespec t[2] = {{99999999999, 0}, {99999999999, 0}};
  ::utimensat(AT_FDCWD, (m.records + "/pmsg-ramoops-0").c_str(), t, 0);
  ::mkfifo((m.records + "/dmesg-ramoops-9").c_str(), 0600);  // not a record: must not hold the run
  Console c;
  EXPECT_EQ(run_pstore(m.options, c.progress), kPstoreOk) << c.str();
  auto caps = m.captures();
  ASSERT_EQ(caps.size(), 1u) << c.str();
  EXPECT_EQ(read_file(caps[0] / "record-pmsg-ramoops-0"), "user space said this\n");
  EXPECT_TRUE(fs::exists(caps[0] / "record-mce-erst-7716398820212342785"));
  EXPECT_FALSE(fs::exists(m.records + "/pmsg-ramoops-0"));
  EXPECT_FALSE(fs::exists(m.records + "/mce-erst-7716398820212342785"));
  EXPECT_TRUE(fs::exists(m.records + "/dmesg-ramoops-9"));
}

TEST(PstoreCommand, AMissingFolderIsNamed) {
  Machine m;
  m.options.dir = m.dir.file("nope");
  Console c;
  EXPECT_EQ(run_pstore(m.options, c.progress), kPstoreUnreadable);
  EXPECT_NE(c.str().find(m.dir.file("nope") + ": no such folder"), std::string::npos) << c.str();
}

}  // namespace
}  // namespace vmcap::pstore
