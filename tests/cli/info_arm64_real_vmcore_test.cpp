// `vmcap info --json` on the real arm64 dumps (label qemu, fixture test_vmcores_arm64): each
// tag's QEMU ELF, QEMU kdump-zlib (utsname "Unknown", 64 KiB blocks) and kdump vmcore,
// against what the guest reported before the dump.
#include <gtest/gtest.h>

#include <filesystem>

#include <nlohmann/json.hpp>

#include "tests/cli/run_vmcap.h"
#include "tests/support/real_vmcores.h"

namespace vmcap::testing {
namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

uint64_t hex(const std::string& s) { return std::stoull(s, nullptr, 16); }

class InfoOnArm64Kernel : public ::testing::TestWithParam<std::string> {};

TEST_P(InfoOnArm64Kernel, EveryFormatNamesTheMachineRegistersAndPageSize) {
  const fs::path dir = test_vmcores_dir() / GetParam();
  int checked = 0;
  for (const char* name : {"qemu.elf", "qemu-kdump-zlib.flat", "kdump.vmcore"}) {
    if (!fs::exists(dir / name)) continue;
    SCOPED_TRACE((dir / name).string());
    ++checked;
    const bool kdump = std::string(name) == "kdump.vmcore";
    auto report = read_report(dir / (kdump ? "kdump.report" : "qemu.report"));
    auto r = run_vmcap({"info", "--json", (dir / name).string()});
    EXPECT_EQ(r.status, 0) << r.err;
    json j = json::parse(r.out, nullptr, false);
    ASSERT_FALSE(j.is_discarded()) << r.out.substr(0, 300);
    EXPECT_EQ(j["file"]["machine"], "aarch64");
    EXPECT_EQ(j["file"]["e_machine"], 183);
    EXPECT_EQ(j["kernel"]["release"], report["kernel_release"]);
    EXPECT_EQ(j["kernel"]["page_size"], std::stoi(report["page_size"]));
    EXPECT_EQ(j["kernel"]["printk"], "printk_ringbuffer");
    for (const auto& f : j["kernel"]["features"])
      if (f["feature"] != "kallsyms symbolization")  // 5.10 does not export kallsyms
        EXPECT_TRUE(f["supported"].get<bool>()) << f;
    EXPECT_TRUE(j["warnings"].empty()) << j["warnings"];
    if (std::string(name).ends_with(".flat")) {
      // QEMU wrote "Unknown": the machine comes from the 392-byte NT_PRSTATUS notes.
      EXPECT_NE(j["file"]["machine_basis"].get<std::string>().find("\"Unknown\""), std::string::npos);
      EXPECT_EQ(j["memory"]["block_size"], 65536) << "QEMU's aarch64 kdump: 64 KiB blocks";
    }
    // Every CPU: pc, sp, pstate, x29, x30; the crashing one stopped in kernel text.
    ASSERT_EQ(j["cpus"]["count"], std::stoi(report["cpus_online"]));
    for (const auto& c : j["cpus"]["list"]) {
      std::vector<std::string> names;
      for (const auto& [k, v] : c["key_registers"].items()) names.push_back(k);
      EXPECT_EQ(names, (std::vector<std::string>{"pc", "pstate", "sp", "x29", "x30"}));  // json sorts
    }
    ASSERT_TRUE(j["cpus"]["crashing"].is_number());
    const auto cpu = j["cpus"]["list"][j["cpus"]["crashing"].get<size_t>()];
    const uint64_t text = hex(report["text_addr"]), pc = hex(cpu["pc"]);
    EXPECT_GE(pc, text);
    EXPECT_LT(pc - text, 1ull << 30);
    // The return address too, with its pointer-authentication bits set back (KERNELPACMASK).
    const uint64_t lr = hex(cpu["key_registers"]["x30"]);
    EXPECT_GE(lr, text) << cpu["key_registers"]["x30"];
    EXPECT_LT(lr - text, 1ull << 30) << cpu["key_registers"]["x30"];
    // And the text output shows them.
    auto t = run_vmcap({"info", (dir / name).string()});
    EXPECT_NE(t.out.find("registers:    cpu 0 pid "), std::string::npos) << t.out;
    EXPECT_NE(t.out.find(" pstate 0x"), std::string::npos) << t.out;
  }
  if (checked == 0) GTEST_SKIP() << "no arm64 dumps in " << dir << " (fixture test_vmcores_arm64)";
}

INSTANTIATE_TEST_SUITE_P(Kernels, InfoOnArm64Kernel, ::testing::ValuesIn(test_vmcore_tags()), TagName());

}  // namespace
}  // namespace vmcap::testing
