// Real kernels (label qemu): the kernel log of real Debian 5.10 / 6.1 / 6.12 dumps
// (scripts/make-test-vmcore.sh) decoded through the ELF reader, x86_64 translation and the
// lockless ringbuffer decoder, checked against two independent oracles:
//  - every record the guest read from /dev/kmsg just before the dump (qemu.kmsg,
//    kdump.kmsg) appears byte-identical, in order, in our kmsg output;
//  - our text output equals kexec-tools' vmcore-dmesg on the kdump /proc/vmcore, line for
//    line (vmcore-dmesg cannot read QEMU dumps: those are checked against kmsg only).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "capture/kernel/vmcoreinfo.h"
#include "capture/printk/kmsg_formatter.h"
#include "capture/printk/log_decoder.h"
#include "capture/printk/text_formatter.h"
#include "capture/translate/make_virtual_memory.h"
#include "capture/printk/json_formatter.h"
#include "elf/open_dump.h"
#include "tests/support/real_vmcores.h"

namespace vmcap {
namespace {

std::string slurp(const std::string& path) { return testing::read_whole_file(path); }

// /dev/kmsg text split into records: a header line and its " KEY=value" lines.
std::vector<std::string> kmsg_records(const std::string& text) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string::npos ? text.size() : nl + 1;
    std::string line = text.substr(pos, end - pos);
    if (line[0] == ' ' && !out.empty()) out.back() += line;
    else out.push_back(line);
    pos = end;
  }
  return out;
}

uint64_t kmsg_seq(const std::string& record) {
  size_t comma = record.find(',');
  return std::strtoull(record.c_str() + comma + 1, nullptr, 10);
}

class RealVmcoreLog : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    if (!testing::test_vmcores_configured())
      GTEST_SKIP() << "VMCAP_TEST_VMCORES not set (qemu fixture not run)";
    dir_ = (testing::test_vmcores_dir() / GetParam()).string();
  }

  struct Decoded {
    std::string kmsg, text, json;
    std::vector<std::string> warnings;
    PrintkGeneration generation = PrintkGeneration::Unknown;
  };

  // Opens `file` and decodes its log into kmsg (with callers if `caller`) and text.
  void decode(const std::string& file, bool caller, Decoded& out) {
    auto dump = open_dump(file);
    ASSERT_TRUE(dump) << dump.error().message();
    auto text = (*dump)->vmcoreinfo_text();
    ASSERT_TRUE(text) << file << ": no VMCOREINFO";
    auto info = VmcoreInfo::parse(*text, file);
    ASSERT_TRUE(info) << info.error().message();
    auto vm = make_virtual_memory((*dump)->machine(), (*dump)->memory(), *info,
                                  (*dump)->virtual_mappings());
    ASSERT_TRUE(vm) << vm.error().message();

    std::ostringstream kmsg, txt, warnings;
    KmsgFormatter kf(kmsg, &warnings, {.caller = caller});
    auto g = decode_kernel_log(*info, **vm, kf);
    ASSERT_TRUE(g) << g.error().message();
    out.generation = *g;
    TextFormatter tf(txt, &warnings);
    ASSERT_TRUE(decode_kernel_log(*info, **vm, tf));
    std::ostringstream json;
    JsonFormatter jf(json);
    ASSERT_TRUE(decode_kernel_log(*info, **vm, jf));
    out.kmsg = kmsg.str();
    out.text = txt.str();
    out.json = json.str();
    std::istringstream w(warnings.str());
    for (std::string line; std::getline(w, line);) out.warnings.push_back(line);
  }

  // Every guest record with a seq we still hold must be in ours, identical, in order.
  void expect_guest_records(const std::string& guest_file, const std::string& ours,
                            bool ring_may_have_moved) {
    auto guest = kmsg_records(slurp(guest_file));
    auto mine = kmsg_records(ours);
    ASSERT_FALSE(guest.empty()) << guest_file;
    ASSERT_FALSE(mine.empty());
    const uint64_t first = kmsg_seq(mine.front());
    if (!ring_may_have_moved) {
      EXPECT_LE(first, kmsg_seq(guest.front()));
    }
    size_t j = 0, matched = 0;
    for (const auto& g : guest) {
      if (kmsg_seq(g) < first) continue;
      while (j < mine.size() && kmsg_seq(mine[j]) < kmsg_seq(g)) ++j;
      ASSERT_LT(j, mine.size()) << "guest record missing from ours: " << g;
      ASSERT_EQ(mine[j], g) << "record seq " << kmsg_seq(g) << " differs";
      ++matched;
    }
    EXPECT_GT(matched, guest.size() / 2);
    RecordProperty("matched_" + std::filesystem::path(guest_file).stem().string(),
                   static_cast<int>(matched));
  }

  std::string dir_;
};

bool has_caller(const std::string& kmsg_file) {
  return slurp(kmsg_file).find(",caller=") != std::string::npos;
}

TEST_P(RealVmcoreLog, QemuDumpHoldsEveryGuestKmsgRecord) {
  const std::string file = dir_ + "/qemu.elf", kmsg = dir_ + "/qemu.kmsg";
  ASSERT_TRUE(std::filesystem::exists(file)) << file;
  Decoded d;
  decode(file, has_caller(kmsg), d);
  if (HasFatalFailure()) return;
  EXPECT_EQ(d.generation, PrintkGeneration::Lockless);
  // QEMU dumps have no virtual addresses: this went through the page tables.
  expect_guest_records(kmsg, d.kmsg, GetParam().find("wrapped") != std::string::npos);
  EXPECT_NE(d.kmsg.find("vmcap-marker last"), std::string::npos);
  for (const auto& w : d.warnings) ADD_FAILURE() << "unexpected warning: " << w;
}

// The same guest, dumped by QEMU as kdump-zlib (makedumpfile's flattened format).
TEST_P(RealVmcoreLog, QemuFlattenedDumpHoldsEveryGuestKmsgRecord) {
  const std::string file = dir_ + "/qemu-kdump-zlib.flat", kmsg = dir_ + "/qemu.kmsg";
  ASSERT_TRUE(std::filesystem::exists(file)) << file;
  Decoded d;
  decode(file, has_caller(kmsg), d);
  if (HasFatalFailure()) return;
  expect_guest_records(kmsg, d.kmsg, GetParam().find("wrapped") != std::string::npos);
}

// JSON lines: one valid object per record, same seq and text as the kmsg records.
TEST_P(RealVmcoreLog, JsonLinesMatchTheRecords) {
  const std::string file = dir_ + "/kdump.vmcore";
  ASSERT_TRUE(std::filesystem::exists(file)) << file;
  Decoded d;
  decode(file, false, d);
  if (HasFatalFailure()) return;
  auto mine = kmsg_records(d.kmsg);
  std::istringstream in(d.json);
  size_t i = 0;
  bool saw_utf8 = false;
  for (std::string line; std::getline(in, line); ++i) {
    ASSERT_LT(i, mine.size());
    auto j = nlohmann::json::parse(line);
    ASSERT_EQ(j["seq"].get<uint64_t>(), kmsg_seq(mine[i]));
    EXPECT_TRUE(j.contains("level") && j.contains("caller") && j.contains("text"));
    std::string text = j["text"].get<std::string>();
    saw_utf8 |= text.find("vmcap-marker utf8: caf\xc3\xa9") != std::string::npos;
  }
  EXPECT_EQ(i, mine.size());
  EXPECT_TRUE(saw_utf8) << "the marker \"vmcap-marker utf8: café\" kept as UTF-8";
}

TEST_P(RealVmcoreLog, KdumpVmcoreHoldsEveryGuestKmsgRecord) {
  const std::string file = dir_ + "/kdump.vmcore", kmsg = dir_ + "/kdump.kmsg";
  ASSERT_TRUE(std::filesystem::exists(file)) << file;
  Decoded d;
  decode(file, has_caller(kmsg), d);
  if (HasFatalFailure()) return;
  expect_guest_records(kmsg, d.kmsg, GetParam().find("wrapped") != std::string::npos);
  // The panic that made the dump is logged after kdump.kmsg was read.
  EXPECT_NE(d.kmsg.find("sysrq"), std::string::npos);
}

TEST_P(RealVmcoreLog, KdumpTextEqualsVmcoreDmesg) {
  const std::string file = dir_ + "/kdump.vmcore";
  ASSERT_TRUE(std::filesystem::exists(file)) << file;
  const char* tool = "/usr/sbin/vmcore-dmesg";
  ASSERT_TRUE(std::filesystem::exists(tool)) << "install kexec-tools";
  std::string expected;
  {
    FILE* p = popen((std::string(tool) + " '" + file + "'").c_str(), "r");
    ASSERT_NE(p, nullptr);
    char buf[65536];
    for (size_t n; (n = fread(buf, 1, sizeof buf, p)) > 0;) expected.append(buf, n);
    ASSERT_EQ(pclose(p), 0) << "vmcore-dmesg failed";
  }
  Decoded d;
  decode(file, false, d);
  if (HasFatalFailure()) return;
  std::istringstream a(d.text), b(expected);
  std::string la, lb;
  for (int line = 1;; ++line) {
    bool ga = static_cast<bool>(std::getline(a, la)), gb = static_cast<bool>(std::getline(b, lb));
    if (!ga && !gb) break;
    ASSERT_EQ(ga, gb) << "line " << line << ": one output ends early";
    ASSERT_EQ(la, lb) << "line " << line;
  }
  EXPECT_EQ(d.text, expected);
  EXPECT_GT(expected.size(), 10000u);
}

INSTANTIATE_TEST_SUITE_P(Tags, RealVmcoreLog, ::testing::ValuesIn(testing::test_vmcore_tags()),
                         testing::TagName());

}  // namespace
}  // namespace vmcap
