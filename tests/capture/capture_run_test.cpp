// `vmcap capture` end to end on real kdump vmcores into a real nginx (WebDAV PUT) and
// file:// destinations on this machine. For each case: what was saved where, what the
// manifest says, the exit status, and the final action decided (final_action none or
// --dry-run, so nothing reboots).
#include <gtest/gtest.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <nlohmann/json.hpp>

#include "capture/signature/dump_signature.h"
#include "capture/translate/kernel_view.h"
#include "capture/upload/sha256.h"
#include "elf/open_dump.h"
#include "tests/capture/capture_test_support.h"
#include "tests/cli/run_vmcap.h"
#include "tests/support/temp_dir.h"
#include "tests/upload/local_servers.h"

namespace vmcap::testing {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const char* kDav = "location /crash/ { dav_methods PUT; create_full_put_path on; dav_access user:rw; }\n";

std::string config_text(const std::string& globals, const std::string& destinations) {
  return globals + destinations;
}

class CaptureOnRealKernel : public ::testing::TestWithParam<std::string> {};

// --dry-run into WebDAV: everything lands, the manifest is complete and true to the
// bytes, the logs equal `vmcap dmesg`, and the core gives the same log back.
TEST_P(CaptureOnRealKernel, DryRunIntoWebDavLandsACompleteCapture) {
  TempDir d;
  NginxServer nginx(d.path(), kDav);
  std::string conf = d.file("vmcap.conf");
  write_file(conf, config_text("final_action = reboot\nfailure_action = halt\nfallback_path = " + d.file("fb") + "\n",
                               "[destination dav]\nurl = " + nginx.url() + "/crash/\n"));
  auto r = run_vmcap({"capture", "--config", conf, "--vmcore", vmcore(GetParam()).string(), "--dry-run"});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("final action: reboot (dry run: not done)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("MB/s"), std::string::npos) << r.err;

  fs::path dir = only_capture_dir(nginx.root() + "/crash");
  json m = manifest_in(dir);
  EXPECT_EQ(m["schema"], "vmcap-manifest/1");
  EXPECT_EQ(m["complete"], true);
  EXPECT_EQ(m["directory"], dir.filename().string());
  EXPECT_EQ(m["kernel"]["release"].get<std::string>().substr(0, GetParam().size()), GetParam());
  EXPECT_EQ(m["kernel"]["build_id"].get<std::string>().size(), 40u);
  EXPECT_FALSE(m["crash_time"].is_null());
  EXPECT_EQ(m["destinations"][0]["status"], "ok");
  EXPECT_TRUE(m["problems"].empty()) << m["problems"];
  expect_artifacts_match(m, dir, "dav", {"dmesg.txt", "dmesg.json", "vmcore.flat"});
  EXPECT_FALSE(fs::exists(d.file("fb")));

  auto text = run_vmcap({"dmesg", vmcore(GetParam()).string()});
  ASSERT_EQ(text.status, 0);
  EXPECT_EQ(read_file((dir / "dmesg.txt").string()), text.out);
  auto js = run_vmcap({"dmesg", "--format", "json", vmcore(GetParam()).string()});
  EXPECT_EQ(read_file((dir / "dmesg.json").string()), js.out);
  auto from_core = run_vmcap({"dmesg", (dir / "vmcore.flat").string()});
  ASSERT_EQ(from_core.status, 0) << from_core.err;
  EXPECT_EQ(from_core.out, text.out);
  // The capture decodes the log once for its artifacts and the signature: the signature
  // is the one `signature_of_dump` computes with a decoding of its own.
  auto dump = open_dump(vmcore(GetParam()).string());
  ASSERT_TRUE(dump) << dump.error().message();
  auto view = open_kernel_view(**dump);
  ASSERT_TRUE(view) << view.error().message();
  auto sig = signature_of_dump(**dump, *view);
  ASSERT_TRUE(sig);
  EXPECT_EQ(m["crash"]["reason"], sig->reason);
  EXPECT_EQ(m["crash"]["symbol"], sig->symbol);
  EXPECT_EQ(m["crash"]["frames"], json(sig->frames));
  EXPECT_EQ(m["crash"]["hash"], sig->hash);
  EXPECT_EQ(m["crash"]["warnings"], json(sig->warnings));
  ASSERT_TRUE(sig->pc);
  char pc[24];
  std::snprintf(pc, sizeof pc, "0x%llx", static_cast<unsigned long long>(*sig->pc));
  EXPECT_EQ(m["crash"]["pc"], pc);
  EXPECT_FALSE(sig->hash.empty());
  // The log was uploaded before the core, the manifest first of all.
  std::string log = nginx.access_log();
  size_t manifest = log.find("/manifest.json"), txt = log.find("/dmesg.txt"), core = log.find("/vmcore.flat");
  EXPECT_LT(manifest, txt);
  EXPECT_LT(txt, core);
}

INSTANTIATE_TEST_SUITE_P(Kernels, CaptureOnRealKernel, ::testing::Values("5.10", "6.1", "6.12"));

// A file:// destination with zlib and final_action none (no dry run): makedumpfile -R
// rebuilds a kdump-compressed file from the core that makedumpfile itself reads.
TEST(Capture, FileDestinationZlibCoreRestoresWithMakedumpfile) {
  TempDir d;
  std::string conf = d.file("vmcap.conf");
  write_file(conf, "compression = zlib\ncompression_level = 1\nfinal_action = none\nfailure_action = none\n"
                   "fallback_path = none\n[destination disk]\nurl = file://" + d.file("out") + "\n");
  auto r = run_vmcap({"capture", "--config", conf, "--vmcore", vmcore("6.1").string()});
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("final action: none"), std::string::npos) << r.err;
  fs::path dir = only_capture_dir(d.file("out"));
  json m = manifest_in(dir);
  EXPECT_EQ(m["complete"], true);
  EXPECT_EQ(m["dump"]["compression"], "zlib");
  // The guest crashed through sysrq-c: the manifest names it for deduplication.
  EXPECT_EQ(m["crash"]["reason"], "Kernel panic - not syncing: sysrq triggered crash");
  EXPECT_EQ(m["crash"]["frames"][0], "sysrq_handle_crash");
  EXPECT_EQ(m["crash"]["hash"].get<std::string>().size(), 16u);
  EXPECT_EQ(m["crash"]["symbol"].get<std::string>().rfind("__crash_kexec+0x", 0), 0u) << m["crash"];
  expect_artifacts_match(m, dir, "disk", {"dmesg.txt", "dmesg.json", "vmcore.flat"});

  std::string restored = d.file("restored.kdump");
  std::string cmd = "makedumpfile -R " + restored + " < " + (dir / "vmcore.flat").string() + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  cmd = "makedumpfile --dump-dmesg " + restored + " " + d.file("mdf.txt") + " >/dev/null 2>&1";
  ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd;
  EXPECT_NE(read_file(d.file("mdf.txt")).find("sysrq: Trigger a crash"), std::string::npos);
  auto from_restored = run_vmcap({"dmesg", restored});
  EXPECT_EQ(from_restored.out, read_file((dir / "dmesg.txt").string()));
}

// A config with an unknown key, a bad global value and a half-configured destination:
// the capture goes on with what parsed, says so, and records it in the manifest.
TEST(Capture, BrokenConfigFallsBackAndSaysSo) {
  TempDir d;
  std::string conf = d.file("vmcap.conf");
  write_file(conf, "final_action = none\nfailure_action = none\ncolour = blue\ndump_level = 99\n"
                   "fallback_path = " + d.file("fb") + "\n"
                   "[destination broken]\nurl = file://" + d.file("broken") + "\nmethod = put\n"
                   "[destination good]\nurl = file://" + d.file("good") + "\n");
  auto r = run_vmcap({"capture", "--config", conf, "--vmcore", vmcore("6.1").string()});
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("vmcap.conf:3:"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("falling back"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("destinations [good]"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(d.file("broken")));
  fs::path dir = only_capture_dir(d.file("good"));
  json m = manifest_in(dir);
  EXPECT_EQ(m["complete"], true);
  EXPECT_EQ(m["dump"]["dump_level"], 31);  // the bad value left at its default
  ASSERT_GE(m["problems"].size(), 3u);
  EXPECT_NE(m["problems"][0].get<std::string>().find("config: "), std::string::npos);
  expect_artifacts_match(m, dir, "good", {"dmesg.txt", "dmesg.json", "vmcore.flat"});
}

// The only server is down: the log goes to fallback_path with a manifest saying so,
// exit status 1, and the failure action is the one decided.
TEST(Capture, ServerDownLogGoesToTheFallbackPath) {
  TempDir d;
  std::string conf = d.file("vmcap.conf");
  write_file(conf, "final_action = reboot\nfailure_action = poweroff\nretries = 1\nretry_delay = 50ms\n"
                   "fallback_path = " + d.file("fb") + "\n"
                   "[destination down]\nurl = http://127.0.0.1:" + std::to_string(free_port()) + "/crash\n");
  auto r = run_vmcap({"capture", "--config", conf, "--vmcore", vmcore("6.1").string(), "--dry-run"});
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("decision: failure_action = poweroff (the capture is incomplete)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("final action: poweroff (dry run: not done)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("retry"), std::string::npos) << r.err;
  fs::path dir = only_capture_dir(d.file("fb"));
  json m = manifest_in(dir);
  EXPECT_EQ(m["complete"], false);
  EXPECT_EQ(m["destinations"][0]["status"], "failed");
  EXPECT_FALSE(m["destinations"][0]["errors"].empty());
  expect_artifacts_match(m, dir, "fallback", {"dmesg.txt", "dmesg.json"});
  EXPECT_FALSE(fs::exists(dir / "vmcore.flat"));
  EXPECT_EQ(read_file((dir / "dmesg.txt").string()), run_vmcap({"dmesg", vmcore("6.1").string()}).out);
}

// No destination and no fallback path: the whole log on the console, exit status 2.
TEST(Capture, NothingElseTakesTheLogSoTheConsoleGetsItWhole) {
  TempDir d;
  std::string conf = d.file("vmcap.conf");
  write_file(conf, "final_action = none\nfailure_action = none\nretries = 0\nfallback_path = none\n"
                   "[destination down]\nurl = http://127.0.0.1:" + std::to_string(free_port()) + "/crash\n");
  auto r = run_vmcap({"capture", "--config", conf, "--vmcore", vmcore("6.1").string()});
  EXPECT_EQ(r.status, 2) << r.err;
  EXPECT_NE(r.err.find(run_vmcap({"dmesg", vmcore("6.1").string()}).out), std::string::npos);
  EXPECT_NE(r.err.find("final action: none"), std::string::npos);
}

// The deadline passes while the core streams (zstd 19 on one thread is slow): the log
// and the incomplete manifest stay on the server, no core under its final name, exit
// status 1, the failure action decided, and all of it in time.
TEST(Capture, DeadlineMidCoreLeavesAnIncompleteCapture) {
  TempDir d;
  NginxServer nginx(d.path(), kDav);
  std::string conf = d.file("vmcap.conf");
  write_file(conf, "deadline = 2s\ncompression_level = 19\nthreads = 1\nfinal_action = reboot\n"
                   "failure_action = halt\nfallback_path = " + d.file("fb") + "\n"
                   "[destination dav]\nurl = " + nginx.url() + "/crash/\n");
  auto start = std::chrono::steady_clock::now();
  auto r = run_vmcap({"capture", "--config", conf, "--vmcore", vmcore("6.1").string(), "--dry-run"});
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_LT(took, std::chrono::seconds(10));
  EXPECT_NE(r.err.find("deadline"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("decision: failure_action = halt (the deadline passed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("final action: halt (dry run: not done)"), std::string::npos) << r.err;
  fs::path dir = only_capture_dir(nginx.root() + "/crash");
  json m = manifest_in(dir);
  EXPECT_EQ(m["complete"], false);
  EXPECT_TRUE(m["artifacts"].empty());  // the first manifest, written before anything else
  EXPECT_EQ(read_file((dir / "dmesg.txt").string()), run_vmcap({"dmesg", vmcore("6.1").string()}).out);
  EXPECT_TRUE(fs::exists(dir / "dmesg.json"));
  EXPECT_FALSE(fs::exists(dir / "vmcore.flat"));
  EXPECT_FALSE(fs::exists(d.file("fb")));  // the log had been saved: no fallback needed
}

// The final action belongs to a capture kernel. Each run below is the init of a PID
// namespace of its own (unshare --pid --fork): there reboot(2) ends the namespace, killing
// its init with SIGHUP, and cannot reboot this machine; a broken rule fails the test only.
bool pid_namespaces_work() { return run_command({"unshare", "--pid", "--fork", "true"}).status == 0; }

RunResult capture_in_pid_namespace(const std::vector<std::string>& args) {
  std::vector<std::string> argv{"unshare", "--pid", "--fork", VMCAP_BINARY, "capture"};
  argv.insert(argv.end(), args.begin(), args.end());
  return run_command(argv);
}

std::string rebooting_config(const TempDir& d, const std::string& globals = "") {
  std::string conf = d.file("vmcap.conf");
  write_file(conf, globals + "final_action = reboot\nfailure_action = reboot\nfallback_path = none\n"
                   "[destination disk]\nurl = file://" + d.file("out") + "\n");
  return conf;
}

// By hand on a saved dump: everything is saved, the machine stays up, and the console says
// why and which flag would have rebooted it (before the work and at the end).
TEST(CaptureFinalAction, ASavedDumpIsCapturedWithoutRebootingTheMachine) {
  if (!pid_namespaces_work()) GTEST_SKIP() << "unshare --pid does not work here: no safe place to try a reboot";
  TempDir d;
  std::string core = vmcore("6.1").string();
  auto r = capture_in_pid_namespace({"--config", rebooting_config(d), "--vmcore", core});
  EXPECT_EQ(r.signal, 0) << "the final action ran: " << r.err;
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_NE(r.err.find("final action: will not be done: the input " + core + " is not /proc/vmcore"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("--force-final-action does it anyway"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("final action: reboot skipped: the input " + core), std::string::npos) << r.err;
  fs::path dir = only_capture_dir(d.file("out"));
  json m = manifest_in(dir);
  EXPECT_EQ(m["complete"], true);
  // The test guests set no host name: the kernel's "(none)" names no capture.
  EXPECT_EQ(m["host_source"], "unknown") << m;
  EXPECT_TRUE(dir.filename().string().starts_with("unknown-")) << dir;
  EXPECT_NE(r.err.find("the crashed kernel had no host name: captures are named unknown-...; set hostname = in"),
            std::string::npos) << r.err;
}

// The deadline's failure action is held to the same rule.
TEST(CaptureFinalAction, TheDeadlinesFailureActionIsSkippedToo) {
  if (!pid_namespaces_work()) GTEST_SKIP() << "unshare --pid does not work here: no safe place to try a reboot";
  TempDir d;
  auto r = capture_in_pid_namespace({"--config", rebooting_config(d, "deadline = 2s\ncompression_level = 19\nthreads = 1\n"),
                                     "--vmcore", vmcore("6.1").string()});
  EXPECT_EQ(r.signal, 0) << "the failure action ran: " << r.err;
  EXPECT_EQ(r.status, 1) << r.err;
  EXPECT_NE(r.err.find("decision: failure_action = reboot (the deadline passed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("final action: reboot skipped:"), std::string::npos) << r.err;
}

// Asked for explicitly, it is done: reboot(2) ends the namespace with SIGHUP.
TEST(CaptureFinalAction, ForceFinalActionRebootsEvenOnASavedDump) {
  if (!pid_namespaces_work()) GTEST_SKIP() << "unshare --pid does not work here: no safe place to try a reboot";
  TempDir d;
  auto r = capture_in_pid_namespace(
      {"--config", rebooting_config(d), "--vmcore", vmcore("6.1").string(), "--force-final-action"});
  EXPECT_EQ(r.signal, SIGHUP) << "status " << r.status << ": " << r.err;
  EXPECT_NE(r.err.find("--force-final-action: it will be done all the same"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("final action: reboot\n"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("skipped"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace vmcap::testing
