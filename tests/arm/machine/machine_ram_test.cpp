// The machine's RAM from the firmware map or MemTotal, over trees made here.
#include "arm/machine/machine_ram.h"

#include <gtest/gtest.h>

#include "tests/arm/machine/fake_root.h"

namespace vmcap::arm {
namespace {

using testing::FakeRoot;

void entry(const FakeRoot& m, int n, const char* start, const char* end, const char* type) {
  const std::string d = "/sys/firmware/memmap/" + std::to_string(n);
  m.put(d + "/start", std::string(start) + "\n");
  m.put(d + "/end", std::string(end) + "\n");
  m.put(d + "/type", std::string(type) + "\n");
}

// A 4 GiB QEMU q35 guest: 2 GiB below the PCI hole, 2 GiB from 4 GiB.
TEST(MachineRam, TheFirmwareMapsRamAndWhereItEnds) {
  FakeRoot m;
  entry(m, 0, "0x0", "0x9fbff", "System RAM");
  entry(m, 1, "0x9fc00", "0x9ffff", "Reserved");
  entry(m, 2, "0x100000", "0x7ffdffff", "System RAM");
  entry(m, 3, "0x100000000", "0x17fffffff", "System RAM");
  entry(m, 4, "0xfeffc000", "0xfeffffff", "Reserved");
  m.put("/proc/meminfo", "MemTotal:        3900000 kB\n");
  auto r = read_machine_ram(m.root());
  ASSERT_TRUE(r.has_value()) << r.unknown;
  EXPECT_EQ(r.value->end_bytes, 0x180000000u);
  EXPECT_EQ(r.value->total_bytes, 0x9fc00u + (0x7ffe0000u - 0x100000u) + 0x80000000u);
  EXPECT_EQ(r.source, "/sys/firmware/memmap (System RAM)");
}

TEST(MachineRam, MemTotalWhenTheMapIsAbsentOrGarbage) {
  FakeRoot m;
  entry(m, 0, "zz", "0x9fbff", "System RAM");
  entry(m, 1, "0x5000", "0x1000", "System RAM");
  m.put("/proc/meminfo", "MemTotal:        1000000 kB\nMemFree: 5 kB\n");
  auto r = read_machine_ram(m.root());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r.value->total_bytes, 1000000u * 1024);
  EXPECT_EQ(r.value->end_bytes, r.value->total_bytes);
  EXPECT_NE(r.source.find("MemTotal"), std::string::npos);
}

// arm64 has no firmware map: /proc/iomem's System RAM, as QEMU virt's 1 GiB at 1 GiB shows it
// (RAM ends at 2 GiB, not at its size); children and other names are not RAM of their own.
TEST(MachineRam, IomemSystemRamOnArm64) {
  constexpr const char* kVirt =
      "09000000-09000fff : pl011@9000000\n"
      "40000000-7fffffff : System RAM\n"
      "  40210000-4122ffff : Kernel code\n"
      "  6ec00000-7abfffff : Crash kernel\n"
      "4010000000-401fffffff : PCI ECAM\n";
  auto ram = parse_iomem_ram(kVirt);
  ASSERT_TRUE(ram);
  EXPECT_EQ(ram->total_bytes, 1ull << 30);
  EXPECT_EQ(ram->end_bytes, 2ull << 30);
  // A reader without CAP_SYS_ADMIN sees every address as 0.
  EXPECT_FALSE(parse_iomem_ram("00000000-00000000 : System RAM\n  00000000-00000000 : Kernel code\n"));
  EXPECT_FALSE(parse_iomem_ram("garbage\n7fffffff-40000000 : System RAM\n"));

  FakeRoot m;
  m.put("/proc/iomem", kVirt);
  m.put("/proc/meminfo", "MemTotal:        800000 kB\n");
  auto fact = read_machine_ram(m.root());
  ASSERT_TRUE(fact.has_value());
  EXPECT_EQ(fact.value->end_bytes, 2ull << 30);
  EXPECT_EQ(fact.source, "/proc/iomem (System RAM)");
}

TEST(MachineRam, NothingReadableIsUnknown) {
  FakeRoot m;
  auto r = read_machine_ram(m.root());
  EXPECT_FALSE(r.has_value());
  EXPECT_NE(r.unknown.find("/proc/meminfo"), std::string::npos);
  m.put("/proc/meminfo", "MemFree: 5 kB\n");
  EXPECT_FALSE(read_machine_ram(m.root()).has_value());
}

TEST(MachineRam, MemTotalParsing) {
  EXPECT_EQ(parse_mem_total("MemTotal:       16314276 kB\n"), 16314276ull * 1024);
  EXPECT_FALSE(parse_mem_total("MemTotal: 5 MB\n"));
  EXPECT_FALSE(parse_mem_total("MemTotal: -5 kB\n"));
  EXPECT_FALSE(parse_mem_total("MemTotal: 99999999999999999999 kB\n"));
  EXPECT_FALSE(parse_mem_total("MemTotal: 18014398509481985 kB\n"));  // 2^54 + 1 kB: absurd
  EXPECT_FALSE(parse_mem_total(""));
}

TEST(MachineRam, ThisMachine) {
  auto r = read_machine_ram("/");
  ASSERT_TRUE(r.has_value()) << r.unknown;
  EXPECT_GT(r.value->total_bytes, 64u << 20);
  EXPECT_GE(r.value->end_bytes, r.value->total_bytes / 2);
}

}  // namespace
}  // namespace vmcap::arm
