// `vmcap info` on filtered cores of a real kdump vmcore (vmcap's kdump and flattened files,
// makedumpfile's): "memory" is the crashed machine's RAM, as the unfiltered vmcore states
// it, and what the file holds (pages kept, pages left out) is said apart from it.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <regex>

#include <nlohmann/json.hpp>

#include "tests/cli/run_vmcap.h"
#include "tests/support/real_vmcores.h"
#include "tests/support/temp_dir.h"

namespace vmcap::testing {
namespace {

using json = nlohmann::json;

json info_json(const std::string& file) {
  auto r = run_vmcap({"info", "--json", file});
  EXPECT_EQ(r.status, 0) << file << ": " << r.err;
  try {
    return json::parse(r.out);
  } catch (const std::exception& e) {
    ADD_FAILURE() << file << ": output is not JSON: " << e.what();
    return json::object();
  }
}

uint64_t hex(const json& s) { return std::stoull(s.get<std::string>(), nullptr, 16); }

// RAM as makedumpfile's 1st bitmap counts it: the whole pages of each PT_LOAD.
uint64_t whole_pages_bytes(const json& ranges) {
  uint64_t total = 0;
  for (const auto& r : ranges) {
    const uint64_t start = (hex(r["start"]) + 4095) / 4096, end = hex(r["end"]) / 4096;
    if (end > start) total += (end - start) * 4096;
  }
  return total;
}

class InfoOnFilteredCore : public ::testing::TestWithParam<std::string> {
 protected:
  std::string vmcore() const { return test_vmcore_file(GetParam()); }
};

TEST_P(InfoOnFilteredCore, MemoryIsTheMachinesAndTheFileSaysWhatItHolds) {
  TempDir d;
  const json source = info_json(vmcore());
  ASSERT_TRUE(source.contains("memory"));
  // The ELF vmcore: its PT_LOADs are the machine's memory and all of it is in the file.
  EXPECT_EQ(source["memory"]["machine_basis"], "ELF PT_LOADs");
  EXPECT_EQ(source["memory"]["machine_bytes"], source["memory"]["total_bytes"]);
  EXPECT_TRUE(source["memory"]["pages_held"].is_null());
  EXPECT_TRUE(source["memory"]["dump_level"].is_null());
  const uint64_t ram = whole_pages_bytes(source["memory"]["ranges"]);

  std::vector<std::string> cores;
  for (const char* format : {"kdump", "flat"}) {
    cores.push_back(d.file(std::string("vmcap.") + format));
    auto r = run_vmcap({"filter", "-d", "31", "--format", format, vmcore(), cores.back()});
    ASSERT_EQ(r.status, 0) << r.err;
  }
  const std::string mdf = d.file("makedumpfile.kdump");
  const std::string cmd = "makedumpfile -c -d 31 " + vmcore() + " " + mdf + " >/dev/null 2>&1";
  if (std::system(cmd.c_str()) == 0) cores.push_back(mdf);

  for (const auto& core : cores) {
    SCOPED_TRACE(core);
    const json j = info_json(core);
    ASSERT_TRUE(j.contains("memory"));
    const json& m = j["memory"];
    EXPECT_EQ(m["machine_basis"], "kdump 1st bitmap");
    EXPECT_EQ(m["machine_bytes"].get<uint64_t>(), ram) << "the machine's RAM, not the kept pages";
    EXPECT_EQ(m["dump_level"], 31);
    EXPECT_GT(m["max_mapnr"].get<uint64_t>() * 4096, ram / 2);
    const uint64_t held = m["pages_held"], excluded = m["pages_excluded"];
    EXPECT_EQ(held * 4096, m["total_bytes"].get<uint64_t>()) << "total_bytes keeps its meaning: what the file holds";
    EXPECT_EQ((held + excluded) * 4096, ram);
    EXPECT_GT(excluded, held) << "-d 31 leaves out most of an idle guest";

    auto text = run_vmcap({"info", core});
    ASSERT_EQ(text.status, 0) << text.err;
    std::smatch line;
    ASSERT_TRUE(std::regex_search(text.out, line, std::regex("memory: +[^\n]*"))) << text.out;
    EXPECT_NE(line.str().find("(" + std::to_string(ram) + " bytes) of RAM in the crashed machine"),
              std::string::npos) << line.str();
    ASSERT_TRUE(std::regex_search(text.out, line, std::regex("in the file: +[^\n]*"))) << text.out;
    EXPECT_NE(line.str().find(std::to_string(held) + " pages,"), std::string::npos) << line.str();
    EXPECT_NE(line.str().find(std::to_string(excluded) + " pages left out (dump level 31)"), std::string::npos)
        << line.str();
  }
}

INSTANTIATE_TEST_SUITE_P(Kernels, InfoOnFilteredCore, ::testing::ValuesIn(test_vmcore_tags(true)), TagName());

}  // namespace
}  // namespace vmcap::testing
