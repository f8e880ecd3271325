// `vmcap pstore` leaves its capture's entry in the crash index (docs/index.md) like a
// vmcore capture: on the file destination that took it, and on index_destination.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include <nlohmann/json.hpp>

#include "pstore/collect/pstore_command.h"
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

// The one entry file under `root`/index, at any depth.
std::vector<fs::path> entries(const fs::path& root) {
  std::vector<fs::path> v;
  if (fs::exists(root / "index"))
    for (const auto& e : fs::recursive_directory_iterator(root / "index"))
      if (e.is_regular_file()) v.push_back(e.path());
  return v;
}

TEST(PstoreIndex, TheCaptureGetsAnEntry) {
  testing::TempDir dir;
  fs::create_directories(dir.file("pstore"));
  testing::write_whole_file(dir.file("vmcap.conf"), "hostname = box\nindex_destination = idx\ndestinations = d\n"
                                                    "[destination d]\nurl = file://" + dir.file("out") +
                                                    "\n[destination idx]\nurl = file://" + dir.file("idx") + "\n");
  testing::write_whole_file(dir.file("pstore/dmesg-ramoops-0"),
                            "Panic#1 Part1\n<6>[    0.100000] Linux version 6.1.0-50-amd64 (x) #1 SMP\n"
                            "<0>[    1.000000] Kernel panic - not syncing: test crash\n");
  PstoreOptions o;
  o.config_path = dir.file("vmcap.conf");
  o.dir = dir.file("pstore");
  o.state_path = dir.file("state/pstore-sent.json");
  testing::ProgressConsole c;
  ASSERT_EQ(run_pstore(o, c.progress), kPstoreOk) << c.str();
  auto on_out = entries(dir.file("out"));
  auto on_idx = entries(dir.file("idx"));
  ASSERT_EQ(on_out.size(), 1u) << c.str();
  ASSERT_EQ(on_idx.size(), 1u) << c.str();
  EXPECT_EQ(read_file(on_out[0]), read_file(on_idx[0]));
  auto e = nlohmann::json::parse(read_file(on_out[0]));
  EXPECT_EQ(e["schema"], "vmcap-index/1");
  EXPECT_EQ(e["source"], "pstore");
  EXPECT_EQ(e["destination"], "d");
  EXPECT_EQ(e["pstore_backend"], "ramoops");
  EXPECT_EQ(e["core"]["kept"], false);
  EXPECT_EQ(e["core"]["note"], "pstore keeps no core");
  EXPECT_EQ(e["crash"]["reason"], "Kernel panic - not syncing: test crash");
  const std::string hash = e["crash"]["hash"];
  EXPECT_EQ(on_out[0].parent_path().filename(), hash);
  EXPECT_EQ(on_out[0].filename(), e["directory"].get<std::string>() + ".json");
  EXPECT_TRUE(fs::exists(fs::path(dir.file("out")) / e["directory"].get<std::string>() / "manifest.json"));
  EXPECT_EQ(e["log_tail"].back(), "[    1.000000] Kernel panic - not syncing: test crash");
}

}  // namespace
}  // namespace vmcap::pstore
