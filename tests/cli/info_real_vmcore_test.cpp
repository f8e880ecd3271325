// `vmcap info --json` on real dumps of real kernels, checked against what the guest said
// about itself just before the dump (scripts/make-test-vmcore.sh writes both), and the
// three formats of one guest (QEMU ELF, QEMU kdump-zlib, real kdump) against each other.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/support/real_vmcores.h"
#include "tests/cli/run_vmcap.h"

namespace vmcap::testing {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

uint64_t hex(const std::string& s) { return std::stoull(s, nullptr, 16); }

json info_json(const fs::path& file) {
  auto r = run_vmcap({"info", "--json", file.string()});
  EXPECT_EQ(r.status, 0) << file << ": " << r.err;
  try {
    return json::parse(r.out);
  } catch (const std::exception& e) {
    ADD_FAILURE() << file << ": output is not JSON: " << e.what();
    return json::object();
  }
}

class InfoOnRealKernel : public ::testing::TestWithParam<std::string> {
 protected:
  fs::path dir() const { return test_vmcores_dir() / GetParam(); }
};

TEST_P(InfoOnRealKernel, KdumpVmcoreMatchesTheGuest) {
  auto report = read_report(dir() / "kdump.report");
  ASSERT_FALSE(report.empty()) << "no guest report in " << dir();
  auto j = info_json(dir() / "kdump.vmcore");
  ASSERT_TRUE(j.contains("kernel"));
  EXPECT_EQ(j["file"]["format"], "elf");
  EXPECT_EQ(j["file"]["machine"], "x86_64");
  EXPECT_EQ(j["kernel"]["release"], report["kernel_release"]);
  EXPECT_EQ(hex(j["kernel"]["kaslr_offset"]), hex(report["kaslr_offset"]));
  EXPECT_EQ(j["kernel"]["page_size"], 4096);
  EXPECT_EQ(j["kernel"]["printk"], "printk_ringbuffer");
  EXPECT_TRUE(j["kernel"]["crash_time"].is_number()) << "a real kdump has CRASHTIME";
  EXPECT_EQ(j["cpus"]["count"], std::stoi(report["cpus_online"]));
  // The crashing CPU ran the guest's shell writing sysrq-c: a task, in kernel text.
  ASSERT_TRUE(j["cpus"]["crashing"].is_number());
  auto cpu = j["cpus"]["list"][j["cpus"]["crashing"].get<size_t>()];
  EXPECT_NE(cpu["pid"], 0);
  uint64_t text = hex(report["text_addr"]), pc = hex(cpu["pc"]);
  EXPECT_GE(pc, text);
  EXPECT_LT(pc, text + (1ull << 30));
  // All of the guest's RAM but the crashkernel reservation, which the vmcore leaves out.
  uint64_t total = j["memory"]["total_bytes"];
  EXPECT_GE(total, std::stoull(report["mem_total_kb"]) * 1024);
  EXPECT_LE(total, 1ull << 30);
  auto ck = report["crashkernel_range"];
  auto dash = ck.find('-');
  ASSERT_NE(dash, std::string::npos) << ck;
  uint64_t ck_start = hex(ck.substr(0, dash)), ck_end = hex(ck.substr(dash + 1)) + 1;
  for (const auto& r : j["memory"]["ranges"]) {
    uint64_t s = hex(r["start"]), e = hex(r["end"]);
    EXPECT_TRUE(e <= ck_start || s >= ck_end) << "range " << r << " overlaps crashkernel " << ck;
  }
  for (const auto& f : j["kernel"]["features"])
    if (f["feature"] != "kallsyms symbolization")  // 5.10 does not export kallsyms
      EXPECT_TRUE(f["supported"].get<bool>()) << f;
  EXPECT_TRUE(j["warnings"].empty()) << j["warnings"];
}

TEST_P(InfoOnRealKernel, QemuDumpsMatchTheGuest) {
  auto report = read_report(dir() / "qemu.report");
  ASSERT_FALSE(report.empty()) << "no guest report in " << dir();
  for (const char* name : {"qemu.elf", "qemu-kdump-zlib.flat"}) {
    SCOPED_TRACE(name);
    auto j = info_json(dir() / name);
    ASSERT_TRUE(j.contains("kernel"));
    EXPECT_EQ(j["file"]["format"], std::string(name).ends_with(".flat") ? "flattened" : "elf");
    EXPECT_EQ(j["kernel"]["release"], report["kernel_release"]);
    EXPECT_EQ(hex(j["kernel"]["kaslr_offset"]), hex(report["kaslr_offset"]));
    EXPECT_TRUE(j["kernel"]["crash_time"].is_null()) << "QEMU dumps of a live guest have no CRASHTIME";
    EXPECT_EQ(j["cpus"]["count"], std::stoi(report["cpus_online"]));
    uint64_t total = j["memory"]["total_bytes"];
    EXPECT_GE(total, std::stoull(report["mem_total_kb"]) * 1024);
  }
  // QEMU's ELF dump carries the control registers: CR3 is the page table root.
  auto j = info_json(dir() / "qemu.elf");
  EXPECT_TRUE(j["cpus"]["list"][0]["cr3"].is_string());
  EXPECT_EQ(j["memory"]["total_bytes"].get<uint64_t>(), (512ull << 20) + (256 << 10))
      << "512 MiB of RAM plus QEMU's 256 KiB BIOS ROM";
}

INSTANTIATE_TEST_SUITE_P(Kernels, InfoOnRealKernel, ::testing::ValuesIn(test_vmcore_tags()), TagName());

}  // namespace
}  // namespace vmcap::testing
